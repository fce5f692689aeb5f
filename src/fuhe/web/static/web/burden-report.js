/* Burden › penetrating audit: admission by sender (stacked bars), flags by rule, the trend of demanded hours.
   Data: {{ chart|json_script:"report-json" }}. */
(function (window) {
  "use strict";
  var charts = window.FuheCharts;
  var data = charts && charts.data("report-json");
  if (!data) return;
  var palette = charts.palette;
  var labels = data.labels;
  /* the columns after the sender's name, in order, with their colours */
  var outcomes = [
    {name: labels.admitted, color: palette.green},
    {name: labels.approved, color: palette.blue},
    {name: labels.refused, color: palette.red},
    {name: labels.pending, color: palette.amber}
  ];

  charts.init("senders-chart", {
    tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
    legend: {top: 4},
    grid: {left: 8, right: 24, top: 40, bottom: 8, containLabel: true},
    xAxis: {type: "value", minInterval: 1, splitNumber: 4},
    yAxis: {type: "category", inverse: true, data: charts.column(data.senders, 0)},
    series: outcomes.map(function (outcome, i) {
      return {name: outcome.name, type: "bar", stack: "all", barMaxWidth: 28, itemStyle: {color: outcome.color},
        data: charts.column(data.senders, i + 1)};
    })
  });

  charts.init("flags-chart", {
    tooltip: {},
    grid: {left: 8, right: 24, top: 16, bottom: 8, containLabel: true},
    xAxis: {type: "value", minInterval: 1, splitNumber: 4},
    yAxis: {type: "category", inverse: true, data: charts.column(data.flags, 0)},
    series: [{type: "bar", barMaxWidth: 28, data: charts.column(data.flags, 1), itemStyle: {color: palette.red},
      label: {show: true, position: "right"}}]
  });

  charts.hoursTrend("trend-chart", data.trend, labels);
})(window);
