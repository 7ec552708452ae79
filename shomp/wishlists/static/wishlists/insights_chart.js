// The wishlist insights chart: adds per day (numbers from a JSON block; the CSP forbids inline scripts).
(function () {
  "use strict";
  var canvas = document.getElementById("wishlist-adds-chart");
  var source = document.getElementById("wishlist-adds-data");
  if (!canvas || !source || !window.Chart) { return; }
  var data = JSON.parse(source.textContent);
  var accent = getComputedStyle(document.documentElement).getPropertyValue("--shomp-accent").trim() || "#6d28d9";
  new window.Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: [{ label: "Adds", data: data.adds, backgroundColor: accent + "99" }] },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { display: false } }
    }
  });
})();
