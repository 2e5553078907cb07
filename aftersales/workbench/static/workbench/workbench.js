// The workbench's shared behaviour (a static file: the Content-Security-Policy allows no
// inline script). Live countdowns on every <time data-due> element: "剩余 1小时20分" or
// "已超时 5分", with the at-risk and breached colours; re-run after htmx swaps.
(function () {
  "use strict";
  function words(ms) {
    var b = document.body.dataset, m = Math.floor(Math.abs(ms) / 60000);
    var d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), mm = m % 60;
    if (d) return d + b.day + (h ? h + b.hour : "");
    if (h) return h + b.hour + (mm ? mm + b.minute : "");
    return mm + b.minute;
  }
  function tick() {
    var now = Date.now(), b = document.body.dataset;
    document.querySelectorAll("time[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("datetime"));
      if (isNaN(due)) return;
      var left = due - now, risk = Number(el.dataset.riskMinutes || 60) * 60000;
      var text = el.querySelector(".left") || el;
      text.textContent = left >= 0 ? b.left + " " + words(left) : b.over + " " + words(left);
      el.classList.toggle("breached", left < 0);
      el.classList.toggle("at-risk", left >= 0 && left < risk);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 30000);
  });
  document.addEventListener("htmx:afterSwap", tick);
  // Confirm before a destructive button (data-confirm="…").
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest("[data-confirm]");
    if (el && !window.confirm(el.dataset.confirm)) ev.preventDefault();
  });
})();
