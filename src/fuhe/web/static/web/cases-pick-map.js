/* Cases › report a problem: pick the point on a Leaflet map; fills the hidden latitude and longitude fields.
   The tile URL comes from data-tiles on #pick-map (present only when tiles are configured). */
(function (window, document) {
  "use strict";
  var el = document.getElementById("pick-map");
  if (!el || !window.L) return;
  var L = window.L;
  var map = L.map(el).setView([39.125, 117.19], 13);
  L.tileLayer(el.dataset.tiles, {maxZoom: 19}).addTo(map);
  var marker = null;
  map.on("click", function (e) {
    if (marker) {
      marker.setLatLng(e.latlng);
    } else {
      marker = L.marker(e.latlng).addTo(map);
    }
    document.getElementById("id_latitude").value = e.latlng.lat.toFixed(6);
    document.getElementById("id_longitude").value = e.latlng.lng.toFixed(6);
    document.getElementById("pick-status").textContent = e.latlng.lat.toFixed(5) + ", " + e.latlng.lng.toFixed(5);
  });
})(window, document);
