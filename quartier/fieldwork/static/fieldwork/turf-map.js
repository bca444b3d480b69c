// The turf map (fieldwork/turf.html): the campaign's contacts as clustered dots, place names, and
// the area drawn corner by corner (each click adds one; the polygon is sent as [[lat, lon], ...] in a
// hidden field), with the number of doors inside it before cutting. Vendored Leaflet draws it all in
// SVG: no request leaves the site (the operator's own tile server, MAP_TILES_URL, excepted). The
// clusters are made by the server for each zoom (map.json); the count asks count.json with the form.
(function () {
  "use strict";
  var container = document.getElementById("turf-map");
  var form = document.getElementById("turf-form");
  var field = document.querySelector('input[name="polygon"]');
  if (!container || !form || !field || typeof window.L === "undefined") return;
  var countBox = document.getElementById("turf-count");
  var extent = null;
  try { extent = JSON.parse(document.getElementById("turf-extent").textContent); } catch (error) { extent = null; }

  var map = L.map(container, { scrollWheelZoom: false, doubleClickZoom: false, minZoom: 2, maxZoom: 18 });
  var tiles = container.dataset.tilesUrl;
  if (tiles) {
    L.tileLayer(tiles, { attribution: container.dataset.tilesAttribution || "", maxZoom: 19 }).addTo(map);
  } else {
    container.classList.add("map-plain");
    fetch(container.dataset.baseLayer, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geojson) {
        L.geoJSON(geojson, { interactive: false, className: "map-land", style: function () { return { color: "#fff", weight: 1, fillColor: "#e4e2dc", fillOpacity: 1 }; } }).addTo(map).bringToBack();
      })
      .catch(function () {});
  }
  // Centred on the campaign's own contacts (their extent), whatever else the table holds.
  if (Array.isArray(extent) && extent.length === 4) {
    var south = extent[0], north = extent[1], west = extent[2], east = extent[3];
    if (north - south < 0.01) { south -= 0.005; north += 0.005; }
    if (east - west < 0.014) { west -= 0.007; east += 0.007; }
    map.fitBounds([[south, west], [north, east]], { padding: [16, 16], maxZoom: 16 });
  } else {
    map.setView([45.5, -73.6], 4);
  }

  // --- the contacts, clustered by the server for the current zoom ---
  var dots = L.layerGroup().addTo(map);
  var names = L.layerGroup().addTo(map);
  var places = [];
  var asked = 0;

  function label(text, className) {
    var span = document.createElement("span");
    span.textContent = text; // names are data: text, never HTML
    return L.tooltip({ permanent: true, direction: "center", interactive: false, className: className }).setContent(span);
  }

  function drawPlaces() {
    names.clearLayers();
    var taken = [];
    places.forEach(function (place) {
      var at = map.latLngToContainerPoint([place[1], place[2]]);
      var size = map.getSize();
      if (at.x < 0 || at.y < 0 || at.x > size.x || at.y > size.y) return;
      // Larger towns come first; a name that would overlap one already shown is left out.
      var clash = taken.some(function (other) { return Math.abs(other.x - at.x) < 110 && Math.abs(other.y - at.y) < 22; });
      if (clash) return;
      taken.push(at);
      names.addLayer(label(place[0], "map-label turf-place").setLatLng([place[1], place[2]]));
    });
  }

  function drawClusters(clusters) {
    dots.clearLayers();
    var total = 0;
    clusters.forEach(function (cell) { total += cell[2]; });
    clusters.forEach(function (cell) {
      var n = cell[2];
      var radius = Math.min(22, 5 + 3 * Math.log(n + 1));
      var dot = L.circleMarker([cell[0], cell[1]], { radius: radius, interactive: false, className: "turf-dot", weight: 1, fillOpacity: 0.75 });
      dots.addLayer(dot);
      if (n > 1 && clusters.length <= 400) {
        dots.addLayer(label(String(n), "turf-cluster-count").setLatLng([cell[0], cell[1]]));
      }
    });
    container.dataset.contacts = String(total);
    container.dataset.clusters = String(clusters.length);
  }

  function load() {
    var ask = ++asked;
    fetch(container.dataset.points + "?zoom=" + map.getZoom(), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (data) {
        if (ask !== asked) return; // a later zoom already asked
        places = Array.isArray(data.places) ? data.places : [];
        drawClusters(Array.isArray(data.clusters) ? data.clusters : []);
        drawPlaces();
        container.dataset.loaded = "true";
      })
      .catch(function () {});
  }
  map.on("zoomend", load);
  map.on("moveend", drawPlaces);

  // --- the area, and the doors inside it before cutting ---
  var corners = [];
  try { corners = JSON.parse(field.value || "[]") || []; } catch (error) { corners = []; }
  var shape = L.polygon([], { className: "turf-shape", interactive: false }).addTo(map);
  var cornerLabel = document.getElementById("polygon-corners");
  var countTimer = null;
  var counting = 0;

  function count() {
    var ask = ++counting;
    var query = new URLSearchParams(new FormData(form));
    query.delete("csrfmiddlewaretoken");
    if (!field.value && !query.get("center") && !query.get("tags")) {
      countBox.textContent = "";
      return;
    }
    fetch(container.dataset.count + "?" + query.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (ask !== counting) return;
        countBox.textContent = data.text || data.reason || "";
        countBox.dataset.doors = String(data.doors === undefined ? "" : data.doors);
      })
      .catch(function () {});
  }

  function countSoon() {
    window.clearTimeout(countTimer);
    countTimer = window.setTimeout(count, 250);
  }

  function draw() {
    shape.setLatLngs(corners);
    field.value = corners.length >= 3 ? JSON.stringify(corners) : "";
    cornerLabel.textContent = corners.length ? corners.length + " ×" : "";
    countSoon();
  }

  map.on("click", function (event) {
    corners.push([Number(event.latlng.lat.toFixed(6)), Number(event.latlng.lng.toFixed(6))]);
    draw();
  });
  document.getElementById("clear-polygon").addEventListener("click", function () {
    corners = [];
    draw();
  });
  form.addEventListener("change", countSoon);
  draw();
  load();
})();
