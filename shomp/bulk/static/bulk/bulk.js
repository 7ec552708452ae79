// The bulk page: "tick every row on this page" ticks (or clears) the rows' boxes, and ticking a
// row chooses "The rows I ticked" for the action.
(function () {
  document.addEventListener("change", function (event) {
    var toggle = event.target.closest("[data-bulk-toggle]");
    if (toggle) {
      document.querySelectorAll("input[name='ids'][form='bulk-action']").forEach(function (box) {
        box.checked = toggle.checked;
      });
    }
    if (event.target.matches("input[name='ids']") || toggle) {
      var selected = document.getElementById("id_scope_0");
      if (selected) selected.checked = true;
    }
  });
})();
