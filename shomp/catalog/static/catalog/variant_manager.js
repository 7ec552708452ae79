// The variant manager's bulk edit: "select all on this page" ticks the rows, and only the value
// control of the chosen field shows. Without this script every control shows and the server
// reads the one for the chosen field; "select all" then means every row of the page.
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  if (!form) { return; }
  var all = form.querySelector('input[name="bulk-all_on_page"]');
  var field = form.querySelector('select[name="bulk-field"]');
  var count = document.getElementById("bulk-count");

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll('input[type="checkbox"][name="bulk-variant_ids"]'));
  }

  function showCount() {
    var ticked = rows().filter(function (box) { return box.checked; }).length;
    var boxes = rows().length;
    if (all) {
      all.checked = boxes > 0 && ticked === boxes;
      all.indeterminate = ticked > 0 && ticked < boxes;
    }
    if (count) { count.textContent = ticked ? "· " + ticked + " selected" : ""; }
  }

  function showValue() {
    if (!field) { return; }
    form.querySelectorAll("[data-bulk-value]").forEach(function (box) {
      var on = box.getAttribute("data-bulk-value") === field.value;
      box.hidden = !on;
      box.querySelectorAll("input, select").forEach(function (input) { input.disabled = !on; });
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target === all) {
      rows().forEach(function (box) { box.checked = all.checked; });
      showCount();
    } else if (target.name === "bulk-variant_ids") {
      showCount();
    } else if (target === field) {
      showValue();
    }
  });
  showValue();
  showCount();
})();
