// The queue's keyboard shortcuts and bulk selection (a static file: the
// Content-Security-Policy allows no inline script). j/k move between rows, o or Enter
// opens one, a assigns it to me, x ticks it, / goes to the search box, ? shows the help.
// Keys typed into a field are left alone. The live refresh (htmx, every few seconds)
// replaces #queue-body; what was ticked and the row in hand are put back afterwards.
(function () {
  "use strict";
  var current = null; // the number of the row in hand
  var pending = null; // what to put back after a refresh

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#disputes tbody tr[data-number]"));
  }
  function rowOf(number) {
    return rows().filter(function (tr) { return tr.dataset.number === number; })[0] || null;
  }
  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll('input[name="pick"][form="bulk"]'));
  }
  function showPicked() {
    var out = document.getElementById("picked-count");
    if (!out) return;
    var n = boxes().filter(function (b) { return b.checked; }).length;
    out.textContent = n ? (out.dataset.template || "{n}").replace("{n}", n) : "";
    var all = document.getElementById("pick-all");
    if (all) all.checked = n > 0 && n === boxes().length;
  }
  function select(tr, focus) {
    rows().forEach(function (r) {
      r.classList.remove("current");
      r.removeAttribute("aria-current");
    });
    if (!tr) return;
    current = tr.dataset.number;
    tr.classList.add("current");
    tr.setAttribute("aria-current", "true");
    var link = tr.querySelector("a.open");
    if (focus && link) link.focus();
    tr.scrollIntoView({ block: "nearest" });
  }
  function move(step) {
    var list = rows();
    if (!list.length) return;
    var at = list.indexOf(rowOf(current));
    var next = at < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, at + step));
    select(list[next], true);
  }
  function assignToMe(tr) {
    var bulk = document.getElementById("bulk");
    var url = bulk && bulk.dataset.assignUrl;
    if (!tr || !url || !tr.dataset.pick) return;
    var form = document.createElement("form");
    form.method = "post";
    form.action = url;
    var fields = {
      csrfmiddlewaretoken: bulk.querySelector('[name="csrfmiddlewaretoken"]').value,
      pick: tr.dataset.pick,
      "assign-assignee": "me",
      next: window.location.pathname + window.location.search
    };
    // Into my team too (when I am in exactly one): a dispute from the pool has none.
    if (bulk.dataset.myTeam) fields["assign-team"] = bulk.dataset.myTeam;
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = fields[name];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }
  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    var help = document.getElementById("shortcut-help");
    if (help && help.open) return;
    var tr = rowOf(current);
    switch (ev.key) {
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "o":
        if (!tr) return;
        window.location.assign(tr.querySelector("a.open").href);
        break;
      case "Enter":
        // On a link or button Enter does what it always does.
        if (!tr || ev.target.closest("a, button, summary")) return;
        window.location.assign(tr.querySelector("a.open").href);
        break;
      case "a":
        if (!tr || !tr.dataset.pick) return;
        assignToMe(tr);
        break;
      case "x":
        var box = tr && tr.querySelector('input[name="pick"]');
        if (!box) return;
        box.checked = !box.checked;
        showPicked();
        break;
      case "/":
        var search = document.querySelector('.queue-filters input[name="q"]');
        if (!search) return;
        search.focus();
        search.select();
        break;
      case "?":
        if (!help) return;
        help.showModal();
        break;
      default:
        return;
    }
    ev.preventDefault();
  });

  // A row clicked or tabbed into becomes the row in hand.
  document.addEventListener("focusin", function (ev) {
    var tr = ev.target.closest && ev.target.closest("#disputes tbody tr[data-number]");
    if (tr && tr.dataset.number !== current) select(tr, false);
  });

  document.addEventListener("change", function (ev) {
    if (ev.target.id === "pick-all") {
      boxes().forEach(function (b) { b.checked = ev.target.checked; });
    }
    if (ev.target.id === "pick-all" || ev.target.name === "pick") showPicked();
  });

  // The live refresh: remember, then put back, the ticks and the row in hand.
  document.addEventListener("htmx:beforeSwap", function (ev) {
    if (!ev.detail.target || ev.detail.target.id !== "queue-body") return;
    var active = document.activeElement;
    pending = {
      picked: boxes().filter(function (b) { return b.checked; }).map(function (b) { return b.id; }),
      focus: !!(active && active.closest && active.closest("#disputes"))
    };
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!pending) return;
    var state = pending;
    pending = null;
    state.picked.forEach(function (id) {
      var box = document.getElementById(id);
      if (box) box.checked = true;
    });
    showPicked();
    if (current) select(rowOf(current), state.focus);
  });

  document.addEventListener("DOMContentLoaded", showPicked);
})();
