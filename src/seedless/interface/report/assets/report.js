/* seedless report: draws the charts and the datapoint browser from the JSON in #report-data (no network). */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("report-data").textContent);
  var PAGE = 50;
  var charts = [];

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function pct(x) { return (100 * x).toFixed(0) + "%"; }
  function fmt(n) { return n === null || n === undefined ? "n/a" : Number(n).toLocaleString("en-US"); }
  function draw(div, option) {
    var chart = echarts.init(div, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }
  function note(parent, text) { parent.appendChild(el("p", { "class": "note" }, text)); }
  function rateColor(rate) {  // green (0) -> yellow -> red (1)
    return "hsl(" + Math.round(120 * (1 - Math.min(1, rate))) + ",62%," + (46 - 8 * rate).toFixed(0) + "%)";
  }

  // headline figures
  function card(label, value, bad) {
    var c = el("div", { "class": "card" + (bad ? " bad" : "") });
    c.appendChild(el("div", { "class": "value" }, value));
    c.appendChild(el("div", { "class": "label" }, label));
    document.getElementById("facts").appendChild(c);
  }
  var tries = D.datapoints + D.rejected;
  card("datapoints accepted", fmt(D.datapoints));
  card("tries rejected", fmt(D.rejected) + (tries ? " (" + pct(D.rejected / tries) + ")" : ""), tries && D.rejected / tries > 0.5);
  if (D.facts.run) {
    card("N / V (target / reachable mixes)", D.facts.run.target + " / " + D.facts.run.reachable);
    card("complexified share c", D.facts.run.complexify);
  }
  if (D.judge) card("judge p − q", D.judge.p === null || D.judge.q === null ? "n/a" : (D.judge.p - D.judge.q).toFixed(2), !D.judge.passed);
  if (D.eval && D.eval.diversity) card("global / local diversity", D.eval.diversity.global.toFixed(3) + " / " + D.eval.diversity.local.toFixed(3));
  var warnings = document.getElementById("warnings");
  ((D.facts.run && D.facts.run.warnings) || []).forEach(function (w) { warnings.appendChild(el("div", { "class": "warning" }, w)); });

  // taxonomies as sunbursts
  function sunNode(n) {
    var out = { name: n.name, path: n.path.join(" > "), raw: n, itemStyle: {} };
    var seen = n.tries > 0 || (n.covered !== null && n.covered > 0);
    out.itemStyle.color = !seen ? "#d5d9e0" : rateColor(n.tries ? n.rejected / n.tries : 0);
    if (n.hard) { out.itemStyle.borderColor = "#7b0000"; out.itemStyle.borderWidth = 3; }
    if (n.children.length) out.children = n.children.map(sunNode); else out.value = 1;
    return out;
  }
  var trees = document.getElementById("trees");
  if (!D.trees.length) note(trees, "No taxonomy.yaml in the run directory.");
  D.trees.forEach(function (t, i) {
    var box = el("div");
    box.appendChild(el("h3", {}, t.name + (t.description ? ": " + t.description : "")));
    var div = el("div", { "class": "chart sunburst", id: "chart-tree-" + i, "data-chart": "tree" });
    box.appendChild(div);
    trees.appendChild(box);
    var chart = draw(div, {
      tooltip: { formatter: function (p) {
        var n = p.data.raw; if (!n) return "";
        var lines = ["<b>" + echarts.format.encodeHTML(n.path.join(" > ")) + "</b>",
          "datapoints: " + n.accepted, "tries: " + n.tries + ", rejected: " + n.rejected +
          (n.tries ? " (" + pct(n.rejected / n.tries) + ")" : "")];
        if (n.covered !== null) lines.push("eval items assigned: " + n.covered);
        if (n.hard) lines.push("<b style='color:#c0392b'>out of its depth here</b>");
        return lines.join("<br>");
      } },
      series: [{ type: "sunburst", data: sunNode(t).children || [], radius: ["8%", "95%"], sort: null,
        label: { rotate: "radial", fontSize: 10, minAngle: 8 },
        emphasis: { focus: "ancestor" }, nodeClick: false,
        levels: [{}, { label: { rotate: "tangential", fontSize: 11 } }] }]
    });
    chart.on("click", function (p) { if (p.data && p.data.path) { setNode(p.data.path); } });
  });

  // coverage per level: the eval's, else nodes holding a datapoint
  (function () {
    var div = document.getElementById("chart-coverage");
    var series = [], levels = 0, source = "";
    if (D.eval && Object.keys(D.eval.coverage).length) {
      source = "eval coverage (items assigned by the eval)";
      Object.keys(D.eval.coverage).forEach(function (f) {
        var ls = D.eval.coverage[f]; levels = Math.max(levels, ls.length);
        series.push({ name: f, type: "bar", data: ls.map(function (l) { return +(100 * l.ratio).toFixed(1); }),
          label: { show: true, position: "top", formatter: "{c}%" } });
      });
    } else {
      source = "nodes holding at least one datapoint (no eval report)";
      D.trees.forEach(function (t) {
        var per = [];
        (function walk(n, d) {
          if (d > 0) { per[d - 1] = per[d - 1] || [0, 0]; per[d - 1][0] += 1; per[d - 1][1] += n.accepted > 0 ? 1 : 0; }
          n.children.forEach(function (c) { walk(c, d + 1); });
        })(t, 0);
        levels = Math.max(levels, per.length);
        series.push({ name: t.name, type: "bar", data: per.map(function (x) { return +(100 * x[1] / x[0]).toFixed(1); }),
          label: { show: true, position: "top", formatter: "{c}%" } });
      });
    }
    var cats = []; for (var i = 1; i <= levels; i++) cats.push("level " + i);
    div.parentNode.insertBefore(el("p", { "class": "hint" }, "Share of each level's nodes covered: " + source + "."), div);
    draw(div, { tooltip: { trigger: "axis" }, legend: {}, xAxis: { type: "category", data: cats },
      yAxis: { type: "value", max: 100, name: "% of nodes" }, series: series });
  })();

  // rejections per stage and per node
  draw(document.getElementById("chart-stages"), {
    tooltip: { trigger: "axis", formatter: function (ps) {
      var s = D.stages[ps[0].dataIndex];
      return s.stage + ": " + s.rejected + " of " + s.reached + " rejected" + (s.reached ? " (" + pct(s.rejected / s.reached) + ")" : "");
    } },
    grid: { left: 110 }, xAxis: { type: "value", max: 100, name: "% rejected" },
    yAxis: { type: "category", data: D.stages.map(function (s) { return s.stage; }), inverse: true },
    series: [{ type: "bar", data: D.stages.map(function (s) {
      var r = s.reached ? s.rejected / s.reached : 0;
      return { value: +(100 * r).toFixed(1), itemStyle: { color: r > 0.5 ? "#c0392b" : "#5470c6" } };
    }), label: { show: true, position: "right", formatter: function (p) {
      var s = D.stages[p.dataIndex]; return s.rejected + "/" + s.reached; } } }]
  });
  (function () {
    var nodes = [];
    D.trees.forEach(function (t) { (function walk(n, d) { if (d > 0 && n.tries > 0) nodes.push(n); n.children.forEach(function (c) { walk(c, d + 1); }); })(t, 0); });
    nodes.sort(function (a, b) { return b.rejected / b.tries - a.rejected / a.tries || b.tries - a.tries; });
    nodes = nodes.slice(0, 25);
    draw(document.getElementById("chart-nodes"), {
      tooltip: { formatter: function (p) { var n = nodes[p.dataIndex];
        return echarts.format.encodeHTML(n.path.join(" > ")) + "<br>" + n.rejected + " of " + n.tries + " tries rejected"; } },
      grid: { left: 230 }, xAxis: { type: "value", max: 100, name: "% rejected" },
      yAxis: { type: "category", inverse: true, data: nodes.map(function (n) { return n.path.slice(1).join(" > "); }),
        axisLabel: { width: 220, overflow: "truncate" } },
      series: [{ type: "bar", data: nodes.map(function (n) {
        return { value: +(100 * n.rejected / n.tries).toFixed(1), itemStyle: { color: n.hard ? "#c0392b" : "#91a7d8" } };
      }), label: { show: true, position: "right", formatter: function (p) { var n = nodes[p.dataIndex]; return n.rejected + "/" + n.tries; } } }]
    });
  })();

  // complexity
  (function () {
    var body = document.getElementById("complexity-body");
    var cx = D.eval && D.eval.complexity;
    if (!cx) { note(body, D.eval ? "The eval report has no complexity ratings (run `seedless eval RUN_DIR --metrics complexity`)." :
      "No eval report: run `seedless eval RUN_DIR` (or pass --eval REPORT.json) for complexity, coverage and diversity."); return; }
    var a = el("div"), b = el("div");
    a.appendChild(el("h3", {}, "Elo ratings" + (cx.summary ? " (median " + cx.summary.median.toFixed(0) + ", quartiles " +
      cx.summary.q1.toFixed(0) + "–" + cx.summary.q3.toFixed(0) + ")" : "")));
    var h = el("div", { "class": "chart", id: "chart-complexity", "data-chart": "complexity" }); a.appendChild(h);
    b.appendChild(el("h3", {}, "Tiers per node (1: easiest)" + (cx.tier_factor ? ", within " + cx.tier_factor : "")));
    var t = el("div", { "class": "chart tall", id: "chart-tiers", "data-chart": "tiers" }); b.appendChild(t);
    body.appendChild(a); body.appendChild(b);
    var cats = cx.plain.map(function (_, i) { return cx.edges[i].toFixed(0); });
    draw(h, { tooltip: { trigger: "axis" }, legend: {}, xAxis: { type: "category", data: cats, name: "Elo" },
      yAxis: { type: "value", name: "datapoints" },
      series: [{ name: "plain", type: "bar", stack: "x", data: cx.plain }, { name: "complexified", type: "bar", stack: "x", data: cx.complexified }] });
    var tiers = cx.tiers.length ? cx.tiers[0].counts.length : 0, series = [];
    for (var k = 0; k < tiers; k++) series.push({ name: "tier " + (k + 1), type: "bar", stack: "t",
      data: cx.tiers.map(function (n) { return n.counts[k]; }) });
    draw(t, { tooltip: { trigger: "axis" }, legend: {}, grid: { left: 230 }, xAxis: { type: "value", name: "datapoints" },
      yAxis: { type: "category", inverse: true, data: cx.tiers.map(function (n) { return n.node; }), axisLabel: { width: 220, overflow: "truncate" } },
      series: series });
  })();

  // diversity and judge
  (function () {
    var body = document.getElementById("diversity-body");
    var dv = D.eval && D.eval.diversity;
    if (!dv) { note(body, "Not measured: run `seedless eval RUN_DIR` for global and local diversity."); }
    else {
      body.appendChild(el("p", { "class": "hint" }, "Mean cosine distance of the datapoints' embeddings: global over all pairs, local to the " +
        dv.k + " nearest neighbours (" + dv.embedder + "). Higher is more diverse."));
      var div = el("div", { "class": "chart", id: "chart-diversity", "data-chart": "diversity" }); body.appendChild(div);
      draw(div, { xAxis: { type: "category", data: ["global", "local"] }, yAxis: { type: "value", min: 0, max: 1 },
        series: [{ type: "bar", data: [dv.global, dv.local], barWidth: "35%", label: { show: true, position: "top",
          formatter: function (p) { return p.value.toFixed(4); } } }] });
    }
    if (D.eval && D.eval.duplicates) body.appendChild(el("p", { "class": "hint" }, "Duplicates: " + D.eval.duplicates));
    var jb = document.getElementById("judge-body"), j = D.judge;
    if (!j) { note(jb, D.judge_skipped ? "Skipped: " + D.judge_skipped : "No judge check in this run."); return; }
    jb.appendChild(el("p", { "class": "hint" }, j.model + ": " + j.correct + " known-correct datapoints, " + j.corrupted +
      " corrupted copies; p − q at least " + j.min_gap + " asked: " + (j.passed ? "passed" : "FAILED")));
    var jd = el("div", { "class": "chart", id: "chart-judge", "data-chart": "judge" }); jb.appendChild(jd);
    draw(jd, { xAxis: { type: "category", data: ["p (correct accepted)", "q (corrupted accepted)"] }, yAxis: { type: "value", min: 0, max: 1 },
      series: [{ type: "bar", barWidth: "35%", data: [{ value: j.p, itemStyle: { color: "#1e8449" } }, { value: j.q, itemStyle: { color: "#c0392b" } }],
        label: { show: true, position: "top", formatter: function (p) { return p.value === null ? "n/a" : p.value.toFixed(2); } } }] });
  })();

  // usage
  (function () {
    var body = document.getElementById("usage-body");
    if (!D.usage.length) { note(body, "No usage recorded for this run (made before seedless kept run facts, or not by seedless)."); return; }
    var div = el("div", { "class": "chart", id: "chart-usage", "data-chart": "usage" }); body.appendChild(div);
    var stages = []; D.usage.forEach(function (u) { if (stages.indexOf(u.stage) < 0) stages.push(u.stage); });
    function sum(stage, key) { return D.usage.filter(function (u) { return u.stage === stage; }).reduce(function (s, u) { return s + u[key]; }, 0); }
    draw(div, { tooltip: { trigger: "axis" }, legend: {}, xAxis: { type: "category", data: stages, axisLabel: { rotate: 30 } },
      yAxis: { type: "value", name: "tokens" },
      series: [{ name: "prompt", type: "bar", stack: "u", data: stages.map(function (s) { return sum(s, "prompt_tokens"); }) },
               { name: "completion", type: "bar", stack: "u", data: stages.map(function (s) { return sum(s, "completion_tokens"); }) }] });
    var table = el("table"), head = el("tr");
    ["stage", "model", "calls", "prompt tokens", "completion tokens", "cost"].forEach(function (h) { head.appendChild(el("th", {}, h)); });
    table.appendChild(head);
    var total = { calls: 0, p: 0, c: 0, cost: 0, priced: false };
    D.usage.forEach(function (u) {
      var tr = el("tr");
      [u.stage, u.model, fmt(u.calls), fmt(u.prompt_tokens), fmt(u.completion_tokens), u.cost === null ? "no price" : "$" + u.cost.toFixed(4)]
        .forEach(function (v) { tr.appendChild(el("td", {}, v)); });
      total.calls += u.calls; total.p += u.prompt_tokens; total.c += u.completion_tokens;
      if (u.cost !== null) { total.cost += u.cost; total.priced = true; }
      table.appendChild(tr);
    });
    var tr = el("tr");
    ["total", "", fmt(total.calls), fmt(total.p), fmt(total.c), total.priced ? "$" + total.cost.toFixed(4) : "no price"]
      .forEach(function (v) { tr.appendChild(el("th", {}, v)); });
    table.appendChild(tr);
    body.appendChild(table);
  })();

  // the datapoint browser
  var nodeSel = document.getElementById("filter-node"), statusSel = document.getElementById("filter-status");
  D.node_paths.map(function (p, i) { return [p, i]; }).sort().forEach(function (x) { nodeSel.appendChild(el("option", { value: x[1] }, x[0])); });
  D.statuses.forEach(function (s, i) { statusSel.appendChild(el("option", { value: i }, s)); });
  var shown = D.rows, page = 0;
  function setNode(path) {
    var i = D.node_paths.indexOf(path);
    nodeSel.value = i < 0 ? "" : String(i); apply();
    document.getElementById("browser").scrollIntoView();
  }
  function apply() {
    var node = nodeSel.value === "" ? -1 : +nodeSel.value, c = document.getElementById("filter-complexified").value,
      st = statusSel.value === "" ? -1 : +statusSel.value, text = document.getElementById("filter-text").value.toLowerCase();
    shown = D.rows.filter(function (r) {
      return (node < 0 || r[1].indexOf(node) >= 0) && (c === "" || +r[2] === +c) && (st < 0 || r[3] === st) &&
        (!text || r[6].toLowerCase().indexOf(text) >= 0 || r[0].toLowerCase().indexOf(text) >= 0);
    });
    page = 0; render();
  }
  function leafNodes(r) {  // the deepest node of each factor in the row's mix
    var paths = r[1].map(function (i) { return D.node_paths[i]; });
    return paths.filter(function (p) { return !paths.some(function (q) { return q !== p && q.indexOf(p + " > ") === 0; }); });
  }
  function render() {
    var body = document.querySelector("#rows tbody"); body.textContent = "";
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    shown.slice(page * PAGE, page * PAGE + PAGE).forEach(function (r) {
      var tr = el("tr", { "data-id": r[0], "data-nodes": r[1].join(",") });
      var status = D.statuses[r[3]];
      tr.appendChild(el("td", {}, r[0]));
      tr.appendChild(el("td", { "class": r[3] === 0 ? "status-accepted" : "status-rejected" }, status));
      tr.appendChild(el("td", {}, r[2] ? "yes" : "no"));
      tr.appendChild(el("td", {}, r[4] === null ? "" : r[4].toFixed(0)));
      tr.appendChild(el("td", {}, r[5] === null ? "" : r[5]));
      var nodes = el("td"); leafNodes(r).forEach(function (p) { nodes.appendChild(el("span", { "class": "tag" }, p)); });
      tr.appendChild(nodes);
      tr.appendChild(el("td", {}, r[6]));
      tr.addEventListener("click", function () { open(r[0], tr); });
      body.appendChild(tr);
    });
    document.getElementById("filter-count").textContent = fmt(shown.length) + " of " + fmt(D.rows.length) + " shown";
    document.getElementById("page-info").textContent = "page " + (page + 1) + " of " + pages;
    document.getElementById("page-prev").disabled = page === 0;
    document.getElementById("page-next").disabled = page >= pages - 1;
  }
  function field(parent, label, value) {
    parent.appendChild(el("h3", {}, label));
    parent.appendChild(el("pre", {}, typeof value === "string" ? value : JSON.stringify(value, null, 2)));
  }
  function open(id, tr) {
    document.querySelectorAll("#rows tr.selected").forEach(function (x) { x.classList.remove("selected"); });
    tr.classList.add("selected");
    var box = document.getElementById("lineage"); box.textContent = ""; box.hidden = false;
    var d = D.details[id];
    box.appendChild(el("h2", {}, "Lineage of " + id));
    if (!d) { note(box, "This datapoint's lineage is not embedded: the page holds the whole lineage of a sample of " +
      fmt(Object.keys(D.details).length) + " datapoints (read it in dataset.jsonl / rejected.jsonl)."); return; }
    var L = d.lineage;
    if (d.stage) field(box, "Rejected at " + d.stage, d.reason || "");
    field(box, "Datapoint", d.data === null ? "(none: rejected before a datapoint was made)" : d.data);
    field(box, "Strategy and mix", L.strategy + "\n" + Object.keys(L.mix).map(function (f) { return f + ": " + L.mix[f].join(" > "); }).join("\n"));
    field(box, L.complexified ? "Meta-prompt (complexified)" : "Meta-prompt", L.meta_prompt);
    if (L.complexified && L.original_meta_prompt) field(box, "Original meta-prompt", L.original_meta_prompt);
    box.appendChild(el("h3", {}, "Verdicts"));
    if (!L.verdicts.length) note(box, "No verdict.");
    L.verdicts.forEach(function (v) {
      var div = el("div", { "class": "verdict" + (v.passed ? "" : " failed") });
      div.appendChild(el("b", {}, v.critic + (v.attempt ? " (after repair " + v.attempt + ")" : "") + ": " + (v.passed ? "passed" : "failed")));
      div.appendChild(el("div", {}, v.explanation));
      box.appendChild(div);
    });
    box.appendChild(el("h3", {}, "Repairs"));
    if (!L.repairs.length) note(box, "None.");
    L.repairs.forEach(function (r) { box.appendChild(el("div", { "class": "verdict failed" }, "repair " + r.attempt + ": " + r.reason)); });
    box.appendChild(el("p", { "class": "hint" }, "model " + L.model + " · slot " + L.slot + " · attempt " + L.attempt));
    box.scrollIntoView();
  }
  [nodeSel, statusSel, document.getElementById("filter-complexified")].forEach(function (s) { s.addEventListener("change", apply); });
  document.getElementById("filter-text").addEventListener("input", apply);
  document.getElementById("page-prev").addEventListener("click", function () { page -= 1; render(); });
  document.getElementById("page-next").addEventListener("click", function () { page += 1; render(); });
  render();
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.seedlessReport = { charts: charts.length, ready: true };
})();
