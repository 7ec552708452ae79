// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Buttons and links with data-confirm ask before acting.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // Links styled as buttons (role="button", e.g. the product page's option picker) press on
  // Space as well as Enter, like real buttons.
  document.addEventListener("keydown", function (event) {
    var el = event.target.closest && event.target.closest('a[role="button"]');
    if (el && (event.key === " " || event.key === "Spacebar")) {
      event.preventDefault();
      el.click();
    }
  });
  // A choice made (a star, a radio, a select) answers "choose one": its error next to the field
  // (#id_<name>_error, the field component's and the star rating's) goes away at once.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.name || !el.matches || !el.matches('input[type="radio"], input[type="checkbox"], select')) { return; }
    var error = document.getElementById("id_" + el.name + "_error");
    if (!error) { return; }
    error.remove();
    document.querySelectorAll('[aria-describedby~="id_' + el.name + '_error"]').forEach(function (owner) {
      owner.removeAttribute("aria-describedby");
    });
    document.getElementsByName(el.name).forEach(function (input) {
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
    });
  });
  // Auto-submit selects marked data-autosubmit (e.g. the dashboard store switcher).
  document.addEventListener("change", function (event) {
    var el = event.target.closest("[data-autosubmit]");
    if (el && el.form) { el.form.requestSubmit(); }
  });
})();
