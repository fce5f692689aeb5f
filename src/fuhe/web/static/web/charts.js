/* Fuhe chart helper: the palette, reading the page's json_script data, ECharts init and resize in one place.
   Loaded with `defer` after echarts.min.js (and leaflet.js where a map is drawn) and before a page's own script;
   no inline script is needed, so a Content-Security-Policy of script-src 'self' holds. */
(function (window, document) {
  "use strict";

  var palette = Object.freeze({
    green: "#3ebd93",    /* admitted; load factor up to 0.8 */
    blue: "#0b6bcb",     /* approved; hours by sender */
    red: "#b00020",      /* refused; flags; load factor over 1.0 */
    amber: "#f0b429",    /* pending; load factor 0.8 to 1.0 */
    grey: "#bcccdc",     /* no capacity on record */
    outline: "#334e68",  /* region borders on the map */
    white: "#fff",
    paleBlue: "#e4ecf7",
    line: "#d9e2ec",
    ink: "#243b53"
  });

  /* the colour of a load factor (hours demanded / capacity); null: no capacity on record */
  var loadColours = Object.freeze({low: palette.green, high: palette.amber, over: palette.red, none: palette.grey});

  function loadBand(factor) {
    if (factor === null || factor === undefined) return "none";
    if (factor > 1) return "over";
    if (factor > 0.8) return "high";
    return "low";
  }

  function loadColour(factor) { return loadColours[loadBand(factor)]; }

  function element(target) { return typeof target === "string" ? document.getElementById(target) : target; }

  /* the data a template wrote with {{ value|json_script:"id" }} */
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  /* one column of rows given as arrays ([[name, value, …], …]) */
  function column(rows, index) { return rows.map(function (row) { return row[index]; }); }

  var charts = [];
  var resizeListening = false;

  function resizeAll() { charts.forEach(function (chart) { chart.resize(); }); }

  /* an ECharts instance on the element (or its id) with the option set, resized with the window */
  function init(target, option) {
    var el = element(target);
    if (!el || !window.echarts) return null;
    var chart = window.echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
    if (!resizeListening) {
      window.addEventListener("resize", resizeAll);
      resizeListening = true;
    }
    return chart;
  }

  /* hours demanded and capacity a week, from rows [[week, demanded, capacity], …] (burden load and report) */
  function hoursTrend(target, rows, labels) {
    return init(target, {
      tooltip: {trigger: "axis"},
      legend: {top: 4},
      grid: {left: 8, right: 24, top: 40, bottom: 8, containLabel: true},
      xAxis: {type: "category", data: column(rows, 0)},
      yAxis: {type: "value", name: labels.hours},
      series: [{name: labels.demanded, type: "line", data: column(rows, 1)},
        {name: labels.capacity, type: "line", data: column(rows, 2)}]
    });
  }

  /* legend swatches drawn from the same palette as the chart: <span class="swatch" data-load-band="over"> */
  function paintSwatches(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("[data-load-band]"), function (swatch) {
      swatch.style.backgroundColor = loadColours[swatch.dataset.loadBand] || "";
    });
  }

  window.FuheCharts = Object.freeze({
    palette: palette,
    loadColours: loadColours,
    loadBand: loadBand,
    loadColour: loadColour,
    data: data,
    column: column,
    init: init,
    hoursTrend: hoursTrend,
    paintSwatches: paintSwatches
  });
})(window, document);
