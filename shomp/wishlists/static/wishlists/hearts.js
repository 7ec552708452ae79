// Product-card hearts: one request tells which of the grid's products this visitor saved; a
// click posts with htmx (action=remove when it is already saved) and flips the heart.
(function () {
  if (window.shompHearts) return;
  window.shompHearts = true;
  function buttonOf(slot) { return slot.querySelector("button"); }
  function mark(slot, saved) {
    var button = buttonOf(slot);
    button.setAttribute("aria-pressed", saved ? "true" : "false");
    button.querySelector("i").className = saved ? "bi bi-heart-fill text-danger" : "bi bi-heart";
  }
  function load() {
    var slots = document.querySelectorAll("[data-wishlist-product]");
    if (!slots.length) return;
    var ids = Array.prototype.map.call(slots, function (s) { return "p=" + s.dataset.wishlistProduct; });
    fetch("/wishlists/hearts/?" + ids.join("&"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { saved: [] }; })
      .then(function (data) {
        var saved = new Set(data.saved.map(String));
        slots.forEach(function (s) { mark(s, saved.has(s.dataset.wishlistProduct)); });
      });
  }
  function slotOf(elt) { return elt && elt.closest ? elt.closest("[data-wishlist-product]") : null; }
  document.addEventListener("htmx:configRequest", function (event) {
    var slot = slotOf(event.detail.elt);
    if (slot && buttonOf(slot).getAttribute("aria-pressed") === "true") event.detail.parameters.action = "remove";
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var slot = slotOf(event.detail.elt);
    if (!slot || !event.detail.successful || event.detail.xhr.getResponseHeader("HX-Redirect")) return;
    mark(slot, buttonOf(slot).getAttribute("aria-pressed") !== "true");
  });
  // Grids swapped in by htmx (filters, pages) get their hearts marked too.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.elt && event.detail.elt.querySelector && event.detail.elt.querySelector("[data-wishlist-product]")) load();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load); else load();
})();
