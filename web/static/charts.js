// Draws each <div data-chart="ID"> from the JSON in <script type="application/json" id="ID">,
// with the vendored uPlot; no inline script, so the Content-Security-Policy can forbid them.
(function () {
  "use strict";
  var COLOURS = ["#0b5cad", "#d1495b", "#2d8a34", "#edae49", "#7b4fa0", "#00798c", "#8c564b",
                 "#e377c2", "#7f7f7f", "#bcbd22"];
  var STATUS_COLOURS = {succeeded: "#2d8a34", failed: "#b3261e", timeout: "#e07b00",
                        interrupted: "#c79100", running: "#0b5cad"};

  function draw(box) {
    var source = document.getElementById(box.getAttribute("data-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    if (!data.x.length || !data.series.length) {
      box.innerHTML = "";
      var empty = document.createElement("p");
      empty.className = "empty";
      empty.textContent = data.title + ": nothing stored yet";
      box.appendChild(empty);
      box.setAttribute("data-drawn", "empty");
      return;
    }
    var bars = data.bars ? uPlot.paths.bars({size: [0.7, 40]}) : null;
    var series = [{}];
    data.series.forEach(function (s, i) {
      var colour = STATUS_COLOURS[s.label] || COLOURS[i % COLOURS.length];
      series.push({label: s.label, stroke: colour, width: 2,
                   fill: data.bars ? colour : undefined,
                   paths: bars || undefined, points: {show: true, size: 5}});
    });
    // Half a step of room each side, so that one bar or the first and last are whole.
    var step = data.step || 1;
    var xScale = {time: data.time !== false};
    var xAxis = data.time === false ? {label: data.x_label, space: 40,
      values: function (u, ticks) { return ticks.map(function (t) {
        return Number.isInteger(t) ? String(t) : ""; }); }} : {};
    var opts = {
      title: data.title,
      width: Math.max(box.clientWidth - 16, 320),
      height: 260,
      series: series,
      scales: {x: xScale, y: {range: function (u, min, max) { return [0, Math.max(max, 1) * 1.1]; }}},
      axes: [xAxis, {label: "count"}]
    };
    var columns = [data.x].concat(data.series.map(function (s) { return s.values; }));
    var plot = new uPlot(opts, columns, box);
    plot.setScale("x", {min: data.x[0] - step / 2, max: data.x[data.x.length - 1] + step / 2});
    box.setAttribute("data-drawn", "yes");
  }

  document.querySelectorAll("[data-chart]").forEach(draw);
})();
