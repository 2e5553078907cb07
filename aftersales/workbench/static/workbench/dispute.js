// The dispute page (a static file: the Content-Security-Policy allows no inline script).
// Evidence upload: the file's type and size are checked before anything is sent (the
// input's accept list and data-max-bytes, the limits the server applies), and the
// upload runs through XMLHttpRequest with a progress bar; without JavaScript the form
// is an ordinary POST and the server answers the same errors.
(function () {
  "use strict";
  function accepted(input, file) {
    var list = (input.getAttribute("accept") || "").split(",");
    var name = file.name.toLowerCase(), type = (file.type || "").toLowerCase();
    var dot = name.lastIndexOf("."), ext = dot >= 0 ? name.slice(dot) : "";
    if (!list.length || !list[0]) return true;
    return list.some(function (item) {
      item = item.trim().toLowerCase();
      if (!item) return false;
      if (item.charAt(0) === ".") return item === ext;
      if (item.slice(-2) === "/*") return type.indexOf(item.slice(0, -1)) === 0;
      return item === type;
    });
  }
  function human(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + " MB";
    if (bytes >= 1024) return (bytes / 1024).toFixed(1) + " KB";
    return bytes + " B";
  }
  function problem(form, input) {
    var file = input.files && input.files[0];
    if (!file) return "";
    var max = Number(input.dataset.maxBytes || 0);
    if (max && file.size > max) return form.dataset.tooLarge + " " + human(max);
    if (!accepted(input, file)) return form.dataset.badType;
    return "";
  }
  function show(form, input, message) {
    var box = form.querySelector(".upload-error");
    box.textContent = message;
    box.hidden = !message;
    if (message) {
      input.setAttribute("aria-invalid", "true");
      if (!box.id) box.id = input.id + "_client_error";
      input.setAttribute("aria-describedby", box.id);
    } else {
      input.removeAttribute("aria-invalid");
    }
  }
  function setup(form) {
    var input = form.querySelector("input[type=file]");
    var bar = form.querySelector(".upload-progress");
    if (!input || !bar) return;
    input.addEventListener("change", function () {
      show(form, input, problem(form, input));
    });
    form.addEventListener("submit", function (ev) {
      var message = problem(form, input);
      show(form, input, message);
      if (message) {
        ev.preventDefault();
        input.focus();
        return;
      }
      if (!window.XMLHttpRequest || !window.FormData) return; // an ordinary POST
      ev.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      // As htmx asks: success answers with HX-Redirect (the page, with its message).
      xhr.setRequestHeader("HX-Request", "true");
      bar.hidden = false;
      bar.value = 0;
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded / e.total) * 100);
          bar.textContent = bar.value + "%";
        }
      });
      xhr.addEventListener("load", function () {
        bar.value = 100;
        var next = xhr.getResponseHeader("HX-Redirect");
        if (xhr.status >= 200 && xhr.status < 300 && next) {
          var target = new URL(next, window.location.href);
          if (target.pathname === window.location.pathname && target.search === window.location.search) {
            // Only the anchor differs: assigning it would just scroll, not load the page.
            window.location.hash = target.hash;
            window.location.reload();
          } else {
            window.location.assign(target.href);
          }
          return;
        }
        // A refusal: the server's page with the form and its errors, as a POST shows it.
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener("error", function () {
        bar.hidden = true;
        show(form, input, form.dataset.failed);
      });
      xhr.send(new FormData(form));
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.evidence-upload").forEach(setup);
  });
})();
