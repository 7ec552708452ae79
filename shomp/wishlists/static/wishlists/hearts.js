// Product-card hearts: one request tells which of the grid's products this visitor saved.
(function () {
  if (window.shompHearts) return;
  window.shompHearts = true;
  function mark(form, saved) {
    var button = form.querySelector("button");
    var icon = button.querySelector("i");
    button.setAttribute("aria-pressed", saved ? "true" : "false");
    icon.className = saved ? "bi bi-heart-fill text-danger" : "bi bi-heart";
    var action = form.querySelector('input[name="action"]');
    if (saved && !action) {
      action = document.createElement("input");
      action.type = "hidden"; action.name = "action"; action.value = "remove";
      form.appendChild(action);
    } else if (!saved && action) { action.remove(); }
  }
  function load() {
    var forms = document.querySelectorAll("[data-wishlist-product]");
    if (!forms.length) return;
    var ids = Array.prototype.map.call(forms, function (f) { return "p=" + f.dataset.wishlistProduct; });
    fetch("/wishlists/hearts/?" + ids.join("&"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { saved: [] }; })
      .then(function (data) {
        var saved = new Set(data.saved.map(String));
        forms.forEach(function (f) { mark(f, saved.has(f.dataset.wishlistProduct)); });
      });
  }
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("[data-wishlist-product]") || !event.detail.successful) return;
    mark(form, !form.querySelector('input[name="action"]'));
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load); else load();
})();
