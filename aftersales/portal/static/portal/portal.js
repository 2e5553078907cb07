// The customer portal: evidence files are checked (type, size) as they are chosen, and
// the upload shows its progress; without JavaScript the form posts as usual and the
// server says the same.
(function () {
  "use strict";
  function human(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(1) + " MB";
    if (n >= 1024) return Math.round(n / 1024) + " KB";
    return n + " B";
  }
  function check(input) {
    var list = input.form.querySelector(".file-checks");
    if (!list) return true;
    list.textContent = "";
    var types = (input.dataset.types || "").split(" ");
    var endings = (input.dataset.endings || "").split(" ");
    var max = parseInt(input.dataset.maxBytes || "0", 10);
    var ok = true;
    Array.prototype.forEach.call(input.files || [], function (f) {
      var li = document.createElement("li");
      var dot = f.name.lastIndexOf(".");
      var ending = dot >= 0 ? f.name.slice(dot).toLowerCase() : "";
      var problem = "";
      if (max && f.size > max) problem = input.dataset.tooBig;
      else if (types.indexOf(f.type) < 0 && endings.indexOf(ending) < 0) problem = input.dataset.badType;
      li.textContent = f.name + " (" + human(f.size) + ")" + (problem ? "：" + problem : "");
      if (problem) { li.className = "bad"; ok = false; }
      list.appendChild(li);
    });
    input.setAttribute("aria-invalid", ok ? "false" : "true");
    return ok;
  }
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t && t.type === "file" && t.dataset.types !== undefined) check(t);
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.classList || !form.classList.contains("evidence-form")) return;
    var input = form.querySelector("input[type=file]");
    if (input && !check(input)) { e.preventDefault(); input.focus(); return; }
    var progress = form.querySelector(".progress");
    if (!input || !input.files || !input.files.length || !window.XMLHttpRequest || !progress) return;
    e.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    progress.hidden = false;
    xhr.upload.onprogress = function (ev) {
      if (ev.lengthComputable) progress.textContent = Math.round(ev.loaded * 100 / ev.total) + "%";
    };
    xhr.onload = function () {
      document.open(); document.write(xhr.responseText); document.close();
      if (xhr.responseURL) history.replaceState(null, "", xhr.responseURL);
    };
    xhr.onerror = function () { progress.textContent = "×"; };
    xhr.send(new FormData(form));
  });
})();
