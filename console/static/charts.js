// Draws each chart on the page with the vendored Chart.js, from the JSON block its
// canvas names (data-chart).  The figures are also in the table the chart names, so
// without script nothing is lost.
(function () {
  "use strict";
  var COLOURS = ["#00497a", "#6f9fc6", "#a4001c", "#1f6b2b"];
  var TARGET = "#1b1b1b";

  function duration(v) {
    v = Math.round(v);
    var m = Math.floor(v / 60), s = v % 60;
    if (!m) return s + " s";
    return s ? m + " min " + s + " s" : m + " min";
  }

  function format(axis, v) {
    if (v === null || v === undefined) return "–";
    if (axis.format === "percent") return (Math.round(v * 10) / 10) + "%";
    if (axis.format === "duration") return duration(v);
    return Number(v).toLocaleString("en-GB");
  }

  function pale(colour) { return colour + "55"; }

  function draw(canvas) {
    Chart.defaults.font.size = 14;
    var block = document.getElementById(canvas.getAttribute("data-chart"));
    var spec = JSON.parse(block.textContent);
    var part = spec.part || [];
    var labels = spec.labels.map(function (label, i) { return part[i] ? [label, "(part)"] : label; });
    var datasets = spec.series.map(function (s, n) {
      var colour = COLOURS[n % COLOURS.length];
      var set = { label: s.name, data: s.values, borderColor: colour };
      if (spec.kind === "bar") {
        // a period not over yet: the same colour, pale, with an outline
        set.backgroundColor = s.values.map(function (_, i) { return part[i] ? pale(colour) : colour; });
        set.borderWidth = s.values.map(function (_, i) { return part[i] ? 2 : 0; });
        set.maxBarThickness = 56;
      } else {
        set.backgroundColor = colour;
        set.borderWidth = 2;
        set.spanGaps = false;
        set.pointStyle = s.values.map(function (_, i) { return part[i] ? "rectRot" : "circle"; });
        set.pointRadius = s.values.map(function (_, i) { return part[i] ? 5 : 3; });
        set.segment = { borderDash: function (ctx) { return part[ctx.p1DataIndex] ? [6, 4] : undefined; } };
      }
      return set;
    });
    if (spec.target) {
      datasets.push({ type: "line", label: spec.target.label, borderColor: TARGET, backgroundColor: TARGET,
                      borderDash: [10, 5], borderWidth: 2, pointRadius: 0, pointHitRadius: 0,
                      data: spec.labels.map(function () { return spec.target.value; }) });
    }
    var y = spec.y;
    // eslint-disable-next-line no-new
    new Chart(canvas, {
      type: spec.kind,
      data: { labels: labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, locale: "en-GB",
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom", labels: { color: "#1b1b1b", boxWidth: 14 } },
          tooltip: { callbacks: { label: function (ctx) {
            return ctx.dataset.label + ": " + format(y, ctx.parsed.y);
          } } }
        },
        scales: {
          x: { title: { display: true, text: spec.xTitle, color: "#1b1b1b" },
               ticks: { color: "#1b1b1b", autoSkip: true, autoSkipPadding: 14, maxRotation: 0 } },
          y: { min: y.min, max: y.max, beginAtZero: true,
               title: { display: true, text: y.title, color: "#1b1b1b" },
               ticks: { color: "#1b1b1b", precision: 0, stepSize: y.step, maxTicksLimit: 8,
                        callback: function (v) { return format(y, v); } } }
        }
      }
    });
  }

  if (typeof Chart === "undefined") return;  // the tables still hold every figure
  Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
})();
