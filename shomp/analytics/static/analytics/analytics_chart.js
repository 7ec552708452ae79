// The analytics overview's chart: visits (line, left axis) and revenue (line, right axis) by hour
// (today), by day (up to a year) or by month (longer custom ranges). The numbers come from a JSON data block (no inline script: the CSP forbids it).
(function () {
  "use strict";
  var canvas = document.getElementById("analytics-chart");
  var source = document.getElementById("analytics-chart-data");
  if (!canvas || !source || !window.Chart) { return; }
  var data = JSON.parse(source.textContent);
  var points = data.labels.length > 40 ? 0 : 2;
  var accent = getComputedStyle(document.documentElement).getPropertyValue("--shomp-accent").trim() || "#6d28d9";
  new window.Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        { type: "line", label: "Visits", data: data.visits, borderColor: accent, backgroundColor: accent,
          cubicInterpolationMode: "monotone", pointRadius: points, borderWidth: 2, yAxisID: "y" },
        { type: "line", label: "Revenue", data: data.revenue, borderColor: "#198754", backgroundColor: "#198754",
          cubicInterpolationMode: "monotone", pointRadius: points, borderWidth: 2, yAxisID: "y1" }
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { ticks: { autoSkip: true, autoSkipPadding: 12, maxRotation: 0 } },
        y: { beginAtZero: true, position: "left", ticks: { precision: 0 }, title: { display: true, text: "Visits" } },
        y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "Revenue" } }
      },
      plugins: { legend: { position: "bottom" } }
    }
  });
})();
