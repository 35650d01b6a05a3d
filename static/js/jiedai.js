// Small progressive enhancements; every page also works without JavaScript.
(function () {
  "use strict";

  // Selects marked data-autosubmit submit their form on change (language switcher, filters).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
    }
  });

  // Formsets: a button with data-formset-add="<prefix>" clones the <template id="<prefix>-empty">
  // row into the container data-formset-body="<prefix>" and bumps TOTAL_FORMS.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-formset-add]");
    if (!button) return;
    event.preventDefault();
    var prefix = button.getAttribute("data-formset-add");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty");
    var body = document.querySelector('[data-formset-body="' + prefix + '"]');
    if (!total || !template || !body) return;
    var index = parseInt(total.value, 10);
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (max && index >= parseInt(max.value, 10)) {
      button.disabled = true; // the form's limit; the server says so too
      return;
    }
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var first = body.lastElementChild && body.lastElementChild.querySelector("input, select, textarea");
    if (first) first.focus();
  });

  // Forms marked data-submit-once send once: a double click files one request. The server
  // checks the form's one-time token as well, so this is only a courtesy.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-submit-once]")) return;
    if (form.getAttribute("data-submitted")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitted", "1");
    form.querySelectorAll("button[type=submit]").forEach(function (b) {
      b.classList.add("disabled");
      b.setAttribute("aria-disabled", "true");
    });
  });

  // Back to a page kept in the browser's cache: its forms may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submitted]").forEach(function (form) {
      form.removeAttribute("data-submitted");
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.classList.remove("disabled");
        b.removeAttribute("aria-disabled");
      });
    });
  });
})();
