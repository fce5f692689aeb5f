/* Burden › load against capacity: the region map (Leaflet when regions have geometry, else an ECharts treemap),
   the top senders of load and the trend. Data: {{ chart|json_script:"load-json" }}; the map's kind: data-kind. */
(function (window, document) {
  "use strict";
  var charts = window.FuheCharts;
  var data = charts && charts.data("load-json");
  if (!data) return;
  var palette = charts.palette;
  var labels = data.labels;

  charts.paintSwatches(document.getElementById("load-legend"));

  function factorText(factor) { return factor === null || factor === undefined ? "—" : factor; }

  function leafletMap(el) {
    var L = window.L;
    var map = L.map(el, {attributionControl: false});
    var features = data.geo.map(function (g) {
      return {type: "Feature", properties: {name: g.name, factor: g.factor}, geometry: g.geometry};
    });
    var layer = L.geoJSON(features, {
      style: function (f) {
        return {color: palette.outline, weight: 1, fillOpacity: 0.7, fillColor: charts.loadColour(f.properties.factor)};
      },
      onEachFeature: function (f, l) { l.bindTooltip(f.properties.name + ": " + factorText(f.properties.factor)); }
    }).addTo(map);
    map.fitBounds(layer.getBounds());
  }

  function treemap(el) {
    function node(n) {
      return {name: n.name, value: n.value, factor: n.factor, itemStyle: {color: charts.loadColour(n.factor)},
        children: (n.children || []).map(node)};
    }
    charts.init(el, {
      tooltip: {formatter: function (p) {
        return p.name + "<br>" + p.value + " " + labels.hours_week + " · " + factorText(p.data.factor);
      }},
      series: [{type: "treemap", leafDepth: 1, data: data.tree.map(node), top: 8, bottom: 28, left: 8, right: 8,
        roam: false, nodeClick: "zoomToNode", name: data.region,
        breadcrumb: {show: true, bottom: 2, height: 20,
          itemStyle: {color: palette.paleBlue, borderColor: palette.line, textStyle: {color: palette.ink}}},
        label: {overflow: "truncate"},
        levels: [{itemStyle: {borderColor: palette.white, borderWidth: 2, gapWidth: 2}}, {itemStyle: {gapWidth: 1}}]}]
    });
  }

  var mapEl = document.getElementById("load-map");
  if (mapEl && mapEl.dataset.kind === "leaflet" && window.L) {
    leafletMap(mapEl);
  } else if (mapEl) {
    treemap(mapEl);
  }

  charts.init("senders-chart", {
    tooltip: {},
    grid: {left: 8, right: 24, top: 16, bottom: 28, containLabel: true},
    xAxis: {type: "value", name: labels.hours_week, nameLocation: "middle", nameGap: 24, splitNumber: 3},
    yAxis: {type: "category", inverse: true, data: charts.column(data.senders, 0)},
    series: [{type: "bar", barMaxWidth: 28, data: charts.column(data.senders, 1), itemStyle: {color: palette.blue}}]
  });

  charts.hoursTrend("trend-chart", data.trend, labels);
})(window, document);
