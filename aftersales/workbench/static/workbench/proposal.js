// The proposal builder's rows (a static file: the Content-Security-Policy allows no inline
// script). Without JavaScript the form has a fixed number of empty rows; with it, "添加一行"
// adds one from the <template>, each row gets a remove button, and the formset's
// TOTAL_FORMS follows. Rows are renumbered so the server reads them in order.
(function () {
  "use strict";
  function setup(form) {
    var body = form.querySelector("#remedy-lines tbody");
    var template = document.getElementById("line-template");
    var total = form.querySelector("input[name$='-TOTAL_FORMS']");
    var add = form.querySelector("button.add-line");
    if (!body || !template || !total || !add) return;
    var prefix = total.name.replace(/-TOTAL_FORMS$/, "");
    var labels = template.innerHTML;

    function renumber() {
      var rows = body.querySelectorAll("tr.line");
      rows.forEach(function (row, i) {
        row.querySelectorAll("[name],[id],[for],[aria-describedby]").forEach(function (el) {
          ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
            var v = el.getAttribute(attr);
            if (v) el.setAttribute(attr, v.replace(new RegExp(prefix + "-(\\d+|__prefix__)-", "g"), prefix + "-" + i + "-"));
          });
        });
        // "第 2 项金额" / "Line 2 amount": the first number is the row's.
        row.querySelectorAll("label.sr-only, summary, button.remove-line").forEach(function (el) {
          el.textContent = el.textContent.replace(/\d+/, String(i + 1));
        });
      });
      total.value = String(rows.length);
    }
    function removable(row) {
      var btn = row.querySelector("button.remove-line");
      if (!btn) return;
      btn.hidden = false;
      btn.addEventListener("click", function () {
        var next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        renumber();
        var focus = next && next.querySelector("select");
        (focus || add).focus();
      });
    }
    body.querySelectorAll("tr.line").forEach(removable);
    add.hidden = false;
    add.addEventListener("click", function () {
      var holder = document.createElement("tbody");
      holder.innerHTML = labels.replace(/__prefix__/g, String(body.querySelectorAll("tr.line").length))
        .replace(/__n__/g, String(body.querySelectorAll("tr.line").length + 1));
      var row = holder.querySelector("tr.line");
      body.appendChild(row);
      removable(row);
      renumber();
      var first = row.querySelector("select");
      if (first) first.focus();
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("proposal-builder");
    if (form) setup(form);
  });
})();
