/* seedless compare: the paper-style figures of several datasets side by side, from the JSON in #report-data. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("report-data").textContent);
  var charts = [];
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function draw(div, option) { var c = echarts.init(div, null, { renderer: "canvas" }); c.setOption(option); charts.push(c); }
  function note(parent, text) { parent.appendChild(el("p", { "class": "note" }, text)); }
  var names = D.datasets.map(function (d) { return d.name; });

  var table = document.getElementById("compare-table"), head = el("tr");
  D.header.forEach(function (h) { head.appendChild(el("th", {}, h)); });
  table.appendChild(head);
  D.rows.forEach(function (r) { var tr = el("tr"); r.forEach(function (c) { tr.appendChild(el("td", {}, c)); }); table.appendChild(tr); });
  D.notes.forEach(function (n) { document.getElementById("notes").appendChild(el("p", { "class": "hint" }, n)); });

  var levels = []; for (var i = 1; i <= D.levels; i++) levels.push("level " + i);
  var cov = document.getElementById("chart-coverage");
  if (!D.levels) { cov.removeAttribute("data-chart"); cov.className = ""; note(cov, "Coverage was not measured."); }
  else draw(cov, { tooltip: { trigger: "axis" }, legend: {}, xAxis: { type: "category", data: levels },
    yAxis: { type: "value", max: 100, name: "% of nodes" },
    series: D.datasets.map(function (d) { return { name: d.name, type: "bar",
      data: d.coverage.map(function (x) { return x === null ? null : +(100 * x).toFixed(1); }) }; }) });

  var div = document.getElementById("chart-diversity");
  if (!D.datasets.some(function (d) { return d.diversity; })) { div.removeAttribute("data-chart"); div.className = ""; note(div, "Diversity was not measured."); }
  else draw(div, { tooltip: { trigger: "axis" }, legend: {}, xAxis: { type: "category", data: ["global", "local"] },
    yAxis: { type: "value", min: 0, name: "mean cosine distance" },
    series: D.datasets.map(function (d) { return { name: d.name, type: "bar",
      data: d.diversity ? [d.diversity.global, d.diversity.local] : [null, null] }; }) });

  var hist = document.getElementById("complexity-hist"), box = document.getElementById("complexity-box");
  if (!D.pool) { note(hist, "Complexity was not measured."); note(box, "Complexity was not measured."); }
  else {
    var h = el("div", { "class": "chart", id: "chart-complexity", "data-chart": "complexity" }); hist.appendChild(h);
    var b = el("div", { "class": "chart", id: "chart-box", "data-chart": "box" }); box.appendChild(b);
    var cats = D.pool.edges.slice(0, -1).map(function (e) { return e.toFixed(0); });
    draw(h, { tooltip: { trigger: "axis" }, legend: {}, xAxis: { type: "category", data: cats, name: "Elo", boundaryGap: false },
      yAxis: { type: "value", name: "share of items (%)" },
      series: D.datasets.filter(function (d) { return d.complexity; }).map(function (d) {
        var n = d.complexity.histogram.reduce(function (s, x) { return s + x; }, 0) || 1;
        return { name: d.name, type: "line", step: "middle", areaStyle: { opacity: 0.18 }, symbol: "none",
          data: d.complexity.histogram.map(function (x) { return +(100 * x / n).toFixed(1); }) }; }) });
    var boxed = D.datasets.filter(function (d) { return d.complexity && d.complexity.box; });
    draw(b, { tooltip: {}, xAxis: { type: "category", data: boxed.map(function (d) { return d.name; }) },
      yAxis: { type: "value", name: "Elo", scale: true },
      series: [{ type: "boxplot", data: boxed.map(function (d) { return d.complexity.box; }) }] });
    hist.appendChild(el("p", { "class": "hint" }, D.pool.items + " items in one pool, " + D.pool.batches + " batches (" +
      D.pool.mixed + " mixing datasets), " + D.pool.comparisons + " comparisons; ratings comparable across datasets."));
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.seedlessReport = { charts: charts.length, ready: true, datasets: names.length };
})();
