/* The money's path of a call as an ECharts Sankey, fed by json_script (no inline script: CSP script-src 'self'). */
(function (window, document) {
  "use strict";
  function draw() {
    var host = document.getElementById("money-sankey");
    var source = document.getElementById("money-sankey-json");
    if (!host || !source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    if (!data.links.length) return;
    host.style.height = Math.max(320, data.nodes.length * 36) + "px";
    var chart = window.echarts.init(host);
    chart.setOption({
      animation: false,
      tooltip: {trigger: "item", triggerOn: "mousemove"},
      series: [{
        type: "sankey",
        data: data.nodes,
        links: data.links,
        nodeAlign: "left",
        emphasis: {focus: "adjacency"},
        lineStyle: {color: "gradient", curveness: 0.5},
        label: {fontSize: 12}
      }]
    });
    host.setAttribute("data-ready", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})(window, document);
