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
  // The dashboard's side navigation is a sideways strip on phones: scroll it so the page's own
  // section shows (centred) instead of sitting out of sight past the edge.
  function showActiveSection() {
    document.querySelectorAll(".dashboard-nav").forEach(function (nav) {
      var active = nav.querySelector('[aria-current="page"]');
      if (!active || nav.scrollWidth <= nav.clientWidth) { return; }
      var box = nav.getBoundingClientRect(), link = active.getBoundingClientRect();
      nav.scrollLeft += (link.left - box.left) - (box.width - link.width) / 2;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showActiveSection);
  } else {
    showActiveSection();
  }
  // A cart badge swapped in out of band (Add to cart, the cart page): its link's label follows.
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var badge = event.target;  // the swapped-in element (detail.target is the replaced one)
    if (!badge || (badge.id !== "cart-badge" && badge.id !== "cart-badge-mobile")) { return; }
    var link = badge.closest("a");
    if (link) { link.setAttribute("aria-label", "Cart, " + badge.textContent.trim() + " items"); }
  });
  // Auto-submit selects marked data-autosubmit (e.g. the dashboard store switcher).
  document.addEventListener("change", function (event) {
    var el = event.target.closest("[data-autosubmit]");
    if (el && el.form) { el.form.requestSubmit(); }
  });
})();
