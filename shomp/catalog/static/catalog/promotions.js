// The promotion form's choosers: a search box above a multi-select hides the options that
// don't match what is typed (chosen options stay chosen, hidden or not).
document.addEventListener("input", function (event) {
  var box = event.target.closest("[data-filter-options]");
  if (!box) return;
  var select = document.getElementById(box.getAttribute("data-filter-options"));
  if (!select) return;
  var words = box.value.trim().toLowerCase();
  Array.prototype.forEach.call(select.querySelectorAll("option"), function (option) {
    option.hidden = words !== "" && option.textContent.toLowerCase().indexOf(words) === -1;
  });
});
