// 时限统计: met / missed / pending per row as stacked bars, drawn by the vendored ECharts
// (SVG renderer) from the page's JSON data island; no inline script (CSP).
(function () {
  "use strict";
  function draw() {
    var island = document.getElementById("sla-chart-data");
    var box = document.getElementById("sla-chart");
    if (!island || !box || !window.echarts) return;
    var data = JSON.parse(island.textContent);
    var colours = { met: "#1a7f37", missed: "#cf222e", pending: "#8c959f" };
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.names, inverse: true },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "all", data: s.data, itemStyle: { color: colours[s.key] } };
      })
    });
    // Follow the box's width (window resizes, a phone turned sideways).
    if (window.ResizeObserver) new ResizeObserver(function () { chart.resize(); }).observe(box);
    else window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
