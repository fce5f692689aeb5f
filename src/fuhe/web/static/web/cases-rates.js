/* Cases › three rates: the first three rates of the ranked groups as grouped bars.
   Data: {{ chart|json_script:"rates-json" }} ({groups: [...], series: [{name, data}, ...]}, values in %). */
(function (window) {
  "use strict";
  var charts = window.FuheCharts;
  var data = charts && charts.data("rates-json");
  if (!data) return;

  charts.init("rates-chart", {
    tooltip: {trigger: "axis"},
    legend: {},
    grid: {left: 40, right: 10, bottom: 80},
    xAxis: {type: "category", data: data.groups, axisLabel: {rotate: 30}},
    yAxis: {type: "value", max: 100, name: "%"},
    series: data.series.map(function (s) { return {name: s.name, type: "bar", data: s.data}; })
  });
})(window);
