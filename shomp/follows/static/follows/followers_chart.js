// The followers page's growth chart: new followers per week (bars) and the running total (line).
// The numbers come from a JSON data block (no inline script: the CSP forbids it).
(function () {
  "use strict";
  var canvas = document.getElementById("followers-chart");
  var source = document.getElementById("followers-chart-data");
  if (!canvas || !source || !window.Chart) { return; }
  var data = JSON.parse(source.textContent);
  var accent = getComputedStyle(document.documentElement).getPropertyValue("--shomp-accent").trim() || "#6d28d9";
  new window.Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: "New followers", data: data["new"], backgroundColor: accent + "99", yAxisID: "y" },
        { type: "line", label: "Followers in all", data: data.total, borderColor: accent, backgroundColor: accent,
          tension: 0.25, yAxisID: "y1" }
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        y: { beginAtZero: true, position: "left", ticks: { precision: 0 }, title: { display: true, text: "New" } },
        y1: { beginAtZero: true, position: "right", ticks: { precision: 0 }, grid: { drawOnChartArea: false },
              title: { display: true, text: "In all" } }
      },
      plugins: { legend: { position: "bottom" } }
    }
  });
})();
