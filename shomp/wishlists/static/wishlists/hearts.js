// Product-card hearts: one request tells which of the grid's products this visitor saved in
// Favourites (the list the heart adds to and removes from); a click posts with htmx
// (action=remove when it is pressed) and flips the heart. "Save to list…" buttons (cards and
// cart lines) load the visitor's lists into their panel; a second click closes it.
(function () {
  if (window.shompHearts) return;
  window.shompHearts = true;
  function buttonOf(slot) { return slot.querySelector(".wishlist-card-heart-button"); }
  function mark(slot, saved) {
    var button = buttonOf(slot);
    button.setAttribute("aria-pressed", saved ? "true" : "false");
    button.title = saved ? "Saved in Favourites: press to remove" : "Save to Favourites";
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
  function isHeart(elt) { return elt && elt.classList && elt.classList.contains("wishlist-card-heart-button"); }
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (isHeart(elt) && elt.getAttribute("aria-pressed") === "true") event.detail.parameters.action = "remove";
  });
  // "Save to list…": open loads the panel, a second click closes it.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt.classList || !elt.classList.contains("wishlist-picker-button")) return;
    var panel = elt.parentNode.querySelector(".wishlist-picker-panel");
    if (panel && panel.firstElementChild) {
      event.preventDefault();
      panel.replaceChildren();
      elt.setAttribute("aria-expanded", "false");
    } else {
      elt.setAttribute("aria-expanded", "true");
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    var slot = slotOf(elt);
    if (!slot || !isHeart(elt) || !event.detail.successful || event.detail.xhr.getResponseHeader("HX-Redirect")) return;
    mark(slot, elt.getAttribute("aria-pressed") !== "true");
  });
  // A card whose "Save to list…" just saved is marked again (it may have gone to Favourites).
  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    if (elt.dataset && elt.dataset.wishlistSaved && slotOf(elt)) load();
  });
  // Grids swapped in by htmx (filters, pages) get their hearts marked too.
  document.addEventListener("htmx:afterSettle", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.querySelector && elt.querySelector("[data-wishlist-product]") && !slotOf(elt)) load();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load); else load();
})();
