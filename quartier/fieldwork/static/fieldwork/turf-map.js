// Draw a walking or calling area on the vendored map: each click adds a corner; the polygon is sent
// as [[lat, lon], ...] in a hidden field. Without a tile server the vendored outline is drawn.
(function () {
  "use strict";
  var container = document.getElementById("turf-map");
  var field = document.querySelector('input[name="polygon"]');
  if (!container || !field || typeof window.L === "undefined") return;
  var centre = null;
  try { centre = JSON.parse(document.getElementById("turf-centre").textContent); } catch (error) { centre = null; }
  var map = L.map(container, { scrollWheelZoom: false, doubleClickZoom: false });
  var tiles = container.dataset.tilesUrl;
  if (tiles) {
    L.tileLayer(tiles, { attribution: container.dataset.tilesAttribution || "", maxZoom: 19 }).addTo(map);
  } else {
    container.classList.add("map-plain");
    fetch(container.dataset.baseLayer, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geojson) {
        L.geoJSON(geojson, { interactive: false, style: function () { return { color: "#fff", weight: 1, fillColor: "#e4e2dc", fillOpacity: 1 }; } }).addTo(map).bringToBack();
      })
      .catch(function () {});
  }
  map.setView(centre ? [centre.lat, centre.lon] : [45.5, -73.6], centre ? 12 : 4);
  var corners = [];
  try { corners = JSON.parse(field.value || "[]") || []; } catch (error) { corners = []; }
  var shape = L.polygon([], { color: "#0a58a8" }).addTo(map);
  var label = document.getElementById("polygon-corners");

  function draw() {
    shape.setLatLngs(corners);
    field.value = corners.length >= 3 ? JSON.stringify(corners) : "";
    label.textContent = corners.length ? corners.length + " ×" : "";
  }

  map.on("click", function (event) {
    corners.push([Number(event.latlng.lat.toFixed(6)), Number(event.latlng.lng.toFixed(6))]);
    draw();
  });
  document.getElementById("clear-polygon").addEventListener("click", function () {
    corners = [];
    draw();
  });
  draw();
})();
