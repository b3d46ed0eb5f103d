// Draws the page's charts from the JSON the server put beside them (no inline script: the page's
// Content-Security-Policy allows scripts from this service only). Chart.js is vendored (vendor/README.md).
(function () {
  "use strict";
  var PREDIKAT_COLOURS = ["#1b5e20", "#43a047", "#f9a825", "#ef6c00", "#b71c1c"];
  var VIOLATION = "#c62828";

  function data(canvas) {
    var source = document.getElementById(canvas.dataset.source);
    return source ? JSON.parse(source.textContent) : null;
  }

  var builders = {
    distribution: function (d) {
      return {
        type: "bar",
        data: {
          labels: d.labels,
          datasets: [{
            label: "%",
            data: d.percent,
            counts: d.counts,
            backgroundColor: d.violated.map(function (v, i) { return v ? VIOLATION : PREDIKAT_COLOURS[i]; }),
            borderColor: d.violated.map(function (v) { return v ? "#000" : "transparent"; }),
            borderWidth: d.violated.map(function (v) { return v ? 2 : 0; })
          }]
        },
        options: {
          maintainAspectRatio: false,
          plugins: {
            legend: { display: false },
            tooltip: { callbacks: { label: function (c) { return c.raw + "% (" + d.counts[c.dataIndex] + ")"; } } }
          },
          scales: { y: { beginAtZero: true, suggestedMax: 100, title: { display: true, text: "%" } } }
        }
      };
    },
    nilai: function (d) {
      return {
        type: "line",
        data: { labels: d.labels, datasets: [{ label: "Nilai", data: d.mean_nilai, borderColor: "#0b5394", spanGaps: true }] },
        options: { maintainAspectRatio: false, scales: { y: { suggestedMin: 60, suggestedMax: 120 } } }
      };
    },
    "predikat-trend": function (d) {
      return {
        type: "bar",
        data: {
          labels: d.labels,
          datasets: d.predikat.map(function (name, i) {
            return { label: name, data: d.counts[i], backgroundColor: PREDIKAT_COLOURS[i] };
          })
        },
        options: { maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }
      };
    }
  };

  function draw() {
    if (typeof Chart === "undefined") { return; }
    Chart.defaults.animation = false;  // drawn at once: what a screenshot or a printout shows is final
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var build = builders[canvas.dataset.chart];
      var d = data(canvas);
      if (build && d) { new Chart(canvas, build(d)); canvas.dataset.rendered = "true"; }
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
