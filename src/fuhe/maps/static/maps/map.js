/* One map (一图总览, fuhe.maps): switchable layers fetched as GeoJSON for the view's box and zoom.
   Offline by default: the base map is the regions' boundaries; tiles only when the platform sets FUHE_MAP_TILE_URL.
   Every vector is drawn on one canvas renderer (many markers stay fast); cases arrive clustered by the server, a
   cluster is a small DOM badge with its count, a lone case a canvas dot. Clicking a point opens its record, a region
   offers its dashboard. The configuration (layer URLs, labels, bounds) comes from json_script "one-map-config".
   When the first case clusters are drawn, the page records the moment: performance.mark("map-cases-painted") and
   data-cases-painted-ms on #one-map (milliseconds since navigation started). */
(function (window, document) {
  "use strict";
  var el = document.getElementById("one-map");
  var source = document.getElementById("one-map-config");
  if (!el || !source || !window.L) return;
  var L = window.L;
  var config = JSON.parse(source.textContent);
  var labels = config.labels;
  var status = document.getElementById("map-status");

  var map = L.map(el, {preferCanvas: true, attributionControl: Boolean(config.tiles), zoomSnap: 1, maxZoom: 19});
  var canvas = L.canvas({padding: 0.3, tolerance: 3});
  el.fuheMap = map;  // for other scripts and the browser tests: the Leaflet map of this element
  if (config.tiles) L.tileLayer(config.tiles, {maxZoom: 19, attribution: config.attribution || ""}).addTo(map);
  if (config.bounds) {
    map.fitBounds([[config.bounds[1], config.bounds[0]], [config.bounds[3], config.bounds[2]]]);
  } else {
    map.setView([39.125, 117.19], 12);
  }

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;  // a text node: names never become markup
    return span;
  }
  function go(url) { if (url) window.location.assign(url); }
  function regionPopup(props) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = props.name;
    box.appendChild(name);
    if (props.factor !== undefined) {
      box.appendChild(text(" · " + (props.factor === null ? labels.no_factor : props.factor)));
    }
    box.appendChild(document.createElement("br"));
    var link = document.createElement("a");
    link.href = props.url;
    link.className = "map-dashboard-link";
    link.textContent = labels.open_dashboard;
    box.appendChild(link);
    return box;
  }
  // areas go under every point and line; among them the smaller (later) ones stay on top, so a click on a
  // community opens the community, not its district
  function behind(group) {
    group.getLayers().reverse().forEach(function (layer) { layer.bringToBack(); });
  }
  function loadColour(factor) {
    if (factor === null || factor === undefined) return "#cfd8dc";
    if (factor > 1) return "#e57373";
    if (factor >= 0.8) return "#ffd54f";
    return "#81c784";
  }

  var draw = {
    regions: function (group, data) {
      L.geoJSON(data, {
        renderer: canvas,
        style: function (f) {
          var p = f.properties;
          var weight = {district: 2.5, street: 1.5, community: 1}[p.level] || 1;
          return {color: p.level === "district" ? "#1f4e79" : "#5b7da3", weight: weight, fillColor: "#dce8f5",
            fillOpacity: p.level === "district" ? 0.2 : 0.04, dashArray: p.generated ? "4 4" : null};
        },
        onEachFeature: function (f, layer) {
          layer.bindTooltip(text(f.properties.name), {sticky: true});
          layer.bindPopup(function () { return regionPopup(f.properties); });
        }
      }).eachLayer(function (layer) { group.addLayer(layer); });
      behind(group);
    },
    grids: function (group, data) {
      L.geoJSON(data, {
        renderer: canvas,
        style: function () { return {color: "#7e57c2", weight: 1, fillOpacity: 0.02, dashArray: "2 3"}; },
        onEachFeature: function (f, layer) {
          layer.bindTooltip(text(f.properties.name), {sticky: true});
          layer.bindPopup(function () { return regionPopup(f.properties); });
        }
      }).eachLayer(function (layer) { group.addLayer(layer); });
      behind(group);
    },
    load: function (group, data) {
      L.geoJSON(data, {
        renderer: canvas,
        style: function (f) {
          return {color: "#546e7a", weight: 1, fillColor: loadColour(f.properties.factor), fillOpacity: 0.6};
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindTooltip(text(p.name + " · " + labels.load + " " + (p.factor === null ? labels.no_factor : p.factor)),
            {sticky: true});
          layer.bindPopup(function () { return regionPopup(p); });
        }
      }).eachLayer(function (layer) { group.addLayer(layer); });
      behind(group);
    },
    resources: function (group, data) {
      data.features.forEach(function (f) {
        var c = f.geometry.coordinates, p = f.properties;
        var marker = L.circleMarker([c[1], c[0]], {renderer: canvas, radius: 7, color: "#fff", weight: 1.5,
          fillColor: p.stale ? "#9e9e9e" : "#2e7d32", fillOpacity: 0.95});
        marker.bindTooltip(text(p.name + " · " + p.kind + " · " + p.capacity + (p.unit || "") + " · " + p.owner));
        marker.on("click", function () { go(p.url); });
        group.addLayer(marker);
      });
    },
    demands: function (group, data) {
      data.features.forEach(function (f) {
        var c = f.geometry.coordinates, p = f.properties;
        var marker = L.circleMarker([c[1], c[0]], {renderer: canvas, radius: 7, color: "#fff", weight: 1.5,
          fillColor: p.priority === 0 ? "#c62828" : "#ef6c00", fillOpacity: 0.95});
        marker.bindTooltip(text(p.title + " · " + p.priority_label + " · " + p.kind + " × " + p.quantity));
        marker.on("click", function () { go(p.url); });
        group.addLayer(marker);
      });
    },
    matches: function (group, data) {
      data.features.forEach(function (f) {
        var p = f.properties;
        var line = L.polyline(f.geometry.coordinates.map(function (c) { return [c[1], c[0]]; }), {renderer: canvas,
          color: "#6a1b9a", weight: 2.5, opacity: 0.8, dashArray: p.state === "proposed" ? "6 4" : null});
        line.bindTooltip(text(p.resource + " → " + p.demand + " × " + p.quantity + " · " + p.state_label),
          {sticky: true});
        line.on("click", function () { go(p.url); });
        group.addLayer(line);
      });
    },
    cases: function (group, data) {
      data.features.forEach(function (f) {
        var c = f.geometry.coordinates, p = f.properties, at = [c[1], c[0]];
        if (p.count === 1) {
          var dot = L.circleMarker(at, {renderer: canvas, radius: 5, color: "#fff", weight: 1, fillColor: "#1565c0",
            fillOpacity: 0.9});
          dot.on("click", function () { go(p.url); });
          group.addLayer(dot);
          return;
        }
        var size = Math.round(22 + Math.min(26, 4 * Math.log(p.count)));
        var badge = L.marker(at, {
          icon: L.divIcon({className: "case-cluster", html: "", iconSize: [size, size]}),
          keyboard: true, title: labels.cases_here.replace("%(count)s", p.count)
        });
        badge.on("add", function () { badge.getElement().textContent = p.count > 9999 ? Math.round(p.count / 1000) + "k" : p.count; });
        badge.on("click", function () { map.setView(at, Math.min(map.getZoom() + 2, 19)); });
        group.addLayer(badge);
      });
    }
  };

  var groups = {}, pending = {}, drawn = {}, firstCases = true;
  var overlays = {};
  config.layers.forEach(function (name) {
    groups[name] = L.layerGroup();
    overlays[labels[name]] = groups[name];
  });
  L.control.layers(null, overlays, {collapsed: false}).addTo(map);

  function say(name, value) {
    el.dataset["state" + name.charAt(0).toUpperCase() + name.slice(1)] = value;
  }
  function layerUrl(name) {
    var bounds = map.getBounds();
    var params = new URLSearchParams({bbox: bounds.toBBoxString(), zoom: String(map.getZoom())});
    if (config.region) params.set("region", config.region);
    if (config.emergency) params.set("emergency", "1");
    if (config.cases === "all") params.set("cases", "all");
    return config.urls[name] + "?" + params.toString();
  }
  function refresh(name) {
    var group = groups[name];
    if (!map.hasLayer(group)) return;
    var url = layerUrl(name);
    if (pending[name] && pending[name].url === url) return;  // the same request is on its way
    if (pending[name]) pending[name].abort();
    var controller = new AbortController();
    controller.url = url;
    pending[name] = controller;
    say(name, "loading");
    fetch(url, {credentials: "same-origin", signal: controller.signal, headers: {Accept: "application/geo+json"}})
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (body) {
        if (pending[name] !== controller) return;
        pending[name] = null;
        say(name, "ready");
        if (body === drawn[name]) return;  // unchanged (a small pan): keep what is drawn, and any open popup
        drawn[name] = body;
        var data = JSON.parse(body);
        group.clearLayers();
        draw[name](group, data);
        var suffix = name.charAt(0).toUpperCase() + name.slice(1);
        el.dataset["count" + suffix] = String(data.features.length);
        if (data.total !== undefined) el.dataset["total" + suffix] = String(data.total);  // cases in the clusters
        if (name === "grids" && data.hint === "zoom_in") status.textContent = labels.zoom_in_grids;
        if (name === "cases" && firstCases) {
          firstCases = false;
          window.requestAnimationFrame(function () {
            performance.mark("map-cases-painted");
            el.dataset.casesPaintedMs = String(Math.round(performance.now()));
          });
        }
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        say(name, "failed");
        status.textContent = labels[name] + ": " + labels.failed;
      });
  }
  function refreshAll() {
    status.textContent = "";
    config.layers.forEach(refresh);
  }
  function keepInAddress() {
    var active = config.layers.filter(function (name) { return map.hasLayer(groups[name]); });
    var params = new URLSearchParams(window.location.search);
    params.set("layers", active.join(","));
    window.history.replaceState(null, "", window.location.pathname + "?" + params.toString());
  }

  var timer = null;
  map.on("moveend", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refreshAll, 120);
  });
  map.on("overlayadd", function (event) {
    config.layers.forEach(function (name) { if (groups[name] === event.layer) refresh(name); });
    keepInAddress();
  });
  map.on("overlayremove", function (event) {
    config.layers.forEach(function (name) {
      if (groups[name] === event.layer) {
        if (pending[name]) pending[name].abort();
        event.layer.clearLayers();
        drawn[name] = null;
        say(name, "off");
      }
    });
    keepInAddress();
  });
  config.initial.forEach(function (name) { groups[name].addTo(map); });
  refreshAll();
})(window, document);
