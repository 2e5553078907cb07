// 新建投诉: evidence checked in the browser before anything is sent (the allowed types
// and the size limit come from the file input's data attributes, set by the server from
// disputes/filetypes and EVIDENCE_MAX_BYTES), the form sent with XMLHttpRequest so the
// upload shows its progress, and the server's answer (the number and acknowledgement,
// or the form with its errors) put in place of the page's content. Without JavaScript
// the form is a plain multipart POST. A static file: the CSP allows no inline script.
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return key in values ? values[key] : "";
    });
  }

  function human(size) {
    if (size >= 1048576) return (size / 1048576).toFixed(1) + " MB";
    if (size >= 1024) return (size / 1024).toFixed(1) + " KB";
    return size + " B";
  }

  function fileProblem(form, input, file) {
    var msg = form.dataset, data = input.dataset;
    var limit = Number(data.maxBytes || 0);
    var types = (data.types || "").split(" ");
    var endings = (data.endings || "").split(" ");
    var name = file.name, lower = name.toLowerCase();
    var dot = lower.lastIndexOf(".");
    var ending = dot >= 0 ? lower.slice(dot) : "";
    var values = { name: name, size: human(file.size), limit: human(limit) };
    if (file.size === 0) return fill(msg.msgEmpty, values);
    if (limit && file.size > limit) return fill(msg.msgTooLarge, values);
    var typed = file.type && types.indexOf(file.type) >= 0;
    var text = ending && endings.indexOf(ending) >= 0;
    if (!typed && !text) return fill(msg.msgBadType, values);
    return "";
  }

  // Judge the chosen files; list each with its verdict. True when all may be sent.
  function checkFiles(form) {
    var input = form.querySelector("input[type=file]");
    var list = document.getElementById("file-checks");
    if (!input || !list) return true;
    list.textContent = "";
    var ok = true;
    Array.prototype.forEach.call(input.files, function (file) {
      var problem = fileProblem(form, input, file);
      var item = document.createElement("li");
      item.className = problem ? "error" : "ok";
      item.textContent = problem || fill(form.dataset.msgOk, { name: file.name, size: human(file.size) });
      list.appendChild(item);
      if (problem) ok = false;
    });
    input.setAttribute("aria-invalid", ok ? "false" : "true");
    input.setCustomValidity(ok ? "" : form.dataset.msgFixFiles);
    return ok;
  }

  // Put the answer's <main> in place of ours, keeping the chosen files (a file input
  // cannot be filled again by script): the old input moves into the new form.
  function showAnswer(doc) {
    var main = document.getElementById("main");
    var fresh = doc.getElementById("main");
    if (!main || !fresh) return false;
    var oldInput = main.querySelector("#intake-form input[type=file]");
    main.replaceChildren.apply(main, Array.prototype.map.call(fresh.childNodes, function (n) {
      return document.importNode(n, true);
    }));
    var newInput = main.querySelector("#intake-form input[type=file]");
    if (oldInput && newInput && oldInput.files.length) {
      ["aria-invalid", "aria-describedby"].forEach(function (name) {
        if (newInput.hasAttribute(name)) oldInput.setAttribute(name, newInput.getAttribute(name));
      });
      newInput.replaceWith(oldInput);
      var reselect = document.getElementById("reselect-files");
      if (reselect) reselect.remove();
    }
    if (doc.title) document.title = doc.title;
    if (window.htmx) window.htmx.process(main);
    var focus = main.querySelector("#form-errors, #intake-done") || main;
    focus.focus();
    var form = main.querySelector("#intake-form");
    if (form) {
      setUp(form);
      checkFiles(form);
    }
    return true;
  }

  function send(form, submitter) {
    var box = document.getElementById("upload");
    var bar = document.getElementById("upload-progress");
    var status = document.getElementById("upload-status");
    var button = submitter || form.querySelector("#intake-submit");
    var xhr = new XMLHttpRequest();
    var hasFiles = form.querySelector("input[type=file]").files.length > 0;
    xhr.open("POST", form.action);
    xhr.responseType = "document";
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    if (hasFiles && box) {
      box.hidden = false;
      bar.value = 0;
    }
    xhr.upload.addEventListener("progress", function (ev) {
      if (!ev.lengthComputable || !bar) return;
      var percent = Math.round((ev.loaded / ev.total) * 100);
      bar.value = percent;
      bar.textContent = percent + "%";
      status.textContent = fill(form.dataset.msgSending, { percent: percent + "%" });
    });
    xhr.upload.addEventListener("load", function () {
      if (bar) bar.value = 100;
      if (status) status.textContent = form.dataset.msgSent;
    });
    xhr.addEventListener("load", function () {
      if (!xhr.response || !showAnswer(xhr.response)) {
        button.disabled = false;
        if (status) status.textContent = form.dataset.msgFailed;
      }
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      if (status) status.textContent = form.dataset.msgFailed;
    });
    button.disabled = true; // one submit at a time (the one-time key guards the rest)
    xhr.send(new FormData(form));
  }

  function setUp(form) {
    if (form.dataset.ready) return;
    form.dataset.ready = "1";
    var input = form.querySelector("input[type=file]");
    if (input) input.addEventListener("change", function () { checkFiles(form); });
    form.addEventListener("submit", function (ev) {
      var submitter = ev.submitter;
      if (submitter && submitter.getAttribute("formmethod") === "get") return;
      if (!checkFiles(form)) {
        ev.preventDefault();
        input.focus();
        return;
      }
      if (!window.FormData || !window.XMLHttpRequest) return; // plain POST
      ev.preventDefault();
      send(form, submitter);
    });
    // The lookup: Enter searches instead of sending the whole form.
    var q = form.querySelector("#id_q");
    if (q) {
      q.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter") {
          ev.preventDefault();
          document.getElementById("lookup-button").click();
        }
      });
    }
  }

  // "使用此订单" / "登记新订单" in the lookup's answer (swapped in by htmx).
  document.addEventListener("click", function (ev) {
    var use = ev.target.closest("[data-use-order]");
    var create = ev.target.closest("[data-new-order]");
    var orderNo = document.getElementById("id_order_no");
    if (!orderNo || !(use || create)) return;
    var details = document.getElementById("new-order");
    var box = document.getElementById("id_new_order");
    if (use) {
      orderNo.value = use.dataset.useOrder;
      if (box) box.checked = false;
      if (details) details.open = false;
      orderNo.focus();
    } else {
      orderNo.value = create.dataset.newOrder;
      if (box) box.checked = true;
      if (details) details.open = true;
      var first = document.getElementById("id_order_store");
      if (first) first.focus();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("intake-form");
    if (form) setUp(form);
  });
})();
