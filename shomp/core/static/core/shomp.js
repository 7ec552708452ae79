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
  // Auto-submit selects marked data-autosubmit (e.g. the dashboard store switcher).
  document.addEventListener("change", function (event) {
    var el = event.target.closest("[data-autosubmit]");
    if (el && el.form) { el.form.requestSubmit(); }
  });
})();
