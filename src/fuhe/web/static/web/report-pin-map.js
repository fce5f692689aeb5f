/* Cases › report a problem: a map pin and "use my location" fill the hidden latitude and longitude fields.
   Works offline: the base map is the served districts' and streets' boundaries ({{ form.map_outlines|json_script:
   "pick-map-json" }}); tiles are added only when the platform configures them (data-tiles on #pick-map, from
   FUHE_MAP_TILE_URL). The texts come translated in data-* attributes of #pick. */
(function (window, document) {
  "use strict";
  var el = document.getElementById("pick-map");
  var box = document.getElementById("pick");
  if (!el || !box || !window.L) return;
  var L = window.L;
  var latInput = document.getElementById("id_latitude");
  var lonInput = document.getElementById("id_longitude");
  var status = document.getElementById("pick-status");
  var clear = document.getElementById("pick-clear");
  var locate = document.getElementById("pick-locate");
  var source = document.getElementById("pick-map-json");
  var outlines = source ? JSON.parse(source.textContent) : [];
  var tiles = el.dataset.tiles;

  var map = L.map(el, {attributionControl: Boolean(tiles), zoomSnap: 0.5});
  if (tiles) L.tileLayer(tiles, {maxZoom: 19}).addTo(map);
  var base = null;
  if (outlines.length) {
    base = L.geoJSON(outlines.map(function (o) {
      return {type: "Feature", properties: {name: o.name, level: o.level, generated: o.generated}, geometry: o.geometry};
    }), {
      style: function (f) {
        var district = f.properties.level === "district";
        return {color: district ? "#1f4e79" : "#5b7da3", weight: district ? 2.5 : 1, fillColor: "#dce8f5",
          fillOpacity: district ? 0.25 : 0.05, dashArray: f.properties.generated ? "4 4" : null};
      },
      onEachFeature: function (f, layer) {
        var label = document.createElement("span");
        label.textContent = f.properties.name;  // a text node: names never become markup
        layer.bindTooltip(label, {sticky: true});
      }
    }).addTo(map);
    map.fitBounds(base.getBounds());
  } else {
    map.setView([39.125, 117.19], 12);
  }

  // which drawn street (else district) holds the pin: ray casting over the outlines' rings (even-odd rule)
  function inRing(ring, x, y) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function inGeometry(geometry, x, y) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    return polygons.some(function (rings) {
      return rings.filter(function (ring) { return inRing(ring, x, y); }).length % 2 === 1;
    });
  }
  function nameAt(latlng) {
    var levels = ["street", "district"];
    for (var l = 0; l < levels.length; l++) {
      for (var i = 0; i < outlines.length; i++) {
        var o = outlines[i];
        if (o.level === levels[l] && inGeometry(o.geometry, latlng.lng, latlng.lat)) return o.name;
      }
    }
    return "";
  }

  var marker = null;
  function say(text) { status.textContent = text; }
  function fill(latlng) {
    latInput.value = latlng.lat.toFixed(6);
    lonInput.value = latlng.lng.toFixed(6);
    var where = nameAt(latlng);
    el.dataset.region = where;
    say(latlng.lat.toFixed(5) + ", " + latlng.lng.toFixed(5) + (where ? " · " + where : "") + " · " + box.dataset.placed);
    clear.hidden = false;
  }
  function place(latlng) {
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      marker = L.marker(latlng, {draggable: true, keyboard: true}).addTo(map);
      marker.on("dragend", function () { fill(marker.getLatLng()); });
    }
    el.dataset.pinned = "true";
    fill(latlng);
  }

  map.on("click", function (e) { place(e.latlng); });
  clear.addEventListener("click", function () {
    if (marker) map.removeLayer(marker);
    marker = null;
    latInput.value = lonInput.value = "";
    delete el.dataset.pinned;
    clear.hidden = true;
    say(box.dataset.removed);
  });
  locate.addEventListener("click", function () {
    if (!navigator.geolocation) { say(box.dataset.unsupported); return; }
    say(box.dataset.locating);
    navigator.geolocation.getCurrentPosition(function (position) {
      var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
      place(latlng);
      map.setView(latlng, Math.max(map.getZoom(), 14));
    }, function () { say(box.dataset.denied); }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  });

  if (latInput.value && lonInput.value) {  // the form came back with an error: the pin stays where it was
    var kept = L.latLng(parseFloat(latInput.value), parseFloat(lonInput.value));
    place(kept);
    map.setView(kept, Math.max(map.getZoom(), 14));
  }
})(window, document);
