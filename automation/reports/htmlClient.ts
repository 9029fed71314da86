// The script inside the HTML report: turns each chart spec (htmlCharts.ts) into an ECharts
// option and draws it as SVG. Kept as text here because it runs in the browser, not in Node;
// plain ES5-style JavaScript so any browser that opens the file can run it.
export const CLIENT_SCRIPT = String.raw`
(function () {
  "use strict";
  // The same colours as the verdict cells of the tables.
  var VERDICT_COLOR = { pass: "#2e7d32", fail: "#c62828", inconclusive: "#ef6c00", none: "#607d8b" };
  var base = function (spec) {
    return {
      animation: false,
      title: { text: spec.title, left: 0, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { top: 24 },
      grid: { top: 64, left: 8, right: 24, bottom: 8, containLabel: true }
    };
  };
  var builders = {
    ci: function (spec) {
      var o = base(spec);
      o.tooltip = { trigger: "item" };
      o.xAxis = { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.categories.length > 4 ? 20 : 0 } };
      o.yAxis = { type: "value", name: "Gbit/s" };
      var whiskers = [];
      var expected = [];
      spec.categories.forEach(function (_, i) {
        if (spec.lo[i] !== null && spec.hi[i] !== null) whiskers.push([i, spec.lo[i], spec.hi[i]]);
        if (spec.expected[i] !== null) expected.push([i, spec.expected[i]]);
      });
      o.series = [
        { type: "bar", name: "mean", barMaxWidth: 48, color: "#607d8b",
          data: spec.mean.map(function (v, i) { return { value: v, itemStyle: { color: VERDICT_COLOR[spec.verdicts[i]] || "#607d8b" } }; }) },
        { type: "custom", name: "95% CI", color: "#212121", data: whiskers, z: 3, encode: { x: 0, y: [1, 2] },
          renderItem: function (params, api) {
            var lo = api.coord([api.value(0), api.value(1)]);
            var hi = api.coord([api.value(0), api.value(2)]);
            var w = api.size([1, 0])[0] * 0.12;
            var style = { stroke: "#212121", lineWidth: 1.5, fill: "none" };
            return { type: "group", children: [
              { type: "line", shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style: style },
              { type: "line", shape: { x1: lo[0] - w, y1: lo[1], x2: lo[0] + w, y2: lo[1] }, style: style },
              { type: "line", shape: { x1: hi[0] - w, y1: hi[1], x2: hi[0] + w, y2: hi[1] }, style: style }
            ] };
          } },
        { type: "scatter", name: "expected", data: expected, symbol: "rect", symbolSize: [40, 3], color: "#b71c1c", z: 4 }
      ];
      return o;
    },
    intervals: function (spec) {
      var o = base(spec);
      o.xAxis = { type: "value", name: "s" };
      // Keep the expected line in view even when every interval is below it.
      var top = 0;
      spec.series.forEach(function (s) { s.points.forEach(function (p) { top = Math.max(top, p[1]); }); });
      o.yAxis = { type: "value", name: "Gbit/s" };
      if (spec.expected !== null && spec.expected > top) o.yAxis.max = Number((spec.expected * 1.15).toPrecision(2));
      o.series = spec.series.map(function (s, i) {
        var line = { type: "line", name: s.name, data: s.points, showSymbol: s.points.length < 3 };
        if (i === 0 && spec.expected !== null) {
          line.markLine = { symbol: "none", label: { position: "insideEndTop", formatter: "expected {c}" }, lineStyle: { type: "dashed", color: "#b71c1c" }, data: [{ yAxis: spec.expected }] };
        }
        return line;
      });
      return o;
    },
    percentiles: function (spec) {
      var o = base(spec);
      o.xAxis = { type: "category", data: spec.labels, name: "percentile" };
      o.yAxis = { type: "log", name: "µs RTT" };
      o.series = spec.series.map(function (s) { return { type: "line", name: s.name, data: s.values }; });
      return o;
    }
  };
  var specs = JSON.parse(document.getElementById("pairbench-charts").textContent);
  var drawn = 0;
  specs.forEach(function (spec) {
    var el = document.getElementById(spec.id);
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(builders[spec.kind](spec));
    window.addEventListener("resize", function () { chart.resize(); });
    drawn += 1;
  });
  document.body.setAttribute("data-charts-drawn", String(drawn));
})();
`;
