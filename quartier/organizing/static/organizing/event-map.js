// The events map (organizing/_map.html). Vendored Leaflet; no request leaves the site except to the
// operator's own tile server (MAP_TILES_URL, which the CSP then allows). Without one, a vendored
// Natural Earth outline of the countries is drawn. Titles are user-written: text only, never HTML.
(function () {
  "use strict";

  function readJson(id, fallback) {
    var script = document.getElementById(id);
    if (!script) return fallback;
    try {
      return JSON.parse(script.textContent);
    } catch (error) {
      return fallback;
    }
  }

  function readPoints() {
    var data = readJson("map-points", []);
    return Array.isArray(data) ? data : [];
  }

  // A permanent label (text only: the name is set as textContent, never parsed as HTML).
  function addLabel(layer, text, className) {
    var label = document.createElement("span");
    label.textContent = text;
    layer.bindTooltip(label, {
      permanent: true,
      direction: "right",
      offset: [8, 0],
      interactive: false,
      className: className,
    });
  }

  function isNumber(value) {
    return typeof value === "number" && isFinite(value);
  }

  // Only same-site paths become links: the view gives "/events/12/", never another origin.
  function safeUrl(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" && url.charAt(1) !== "\\";
  }

  function popupContent(point) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var title = document.createElement(safeUrl(point.url) ? "a" : "strong");
    title.textContent = point.title;
    if (safeUrl(point.url)) title.href = point.url;
    box.appendChild(title);
    if (point.when) {
      var when = document.createElement("p");
      when.className = "muted";
      when.textContent = String(point.when);
      box.appendChild(when);
    }
    return box;
  }

  function leafletImagePath() {
    var link = document.querySelector('link[rel="stylesheet"][href*="vendor/leaflet/leaflet"]');
    if (link) return link.href.replace(/[^/]*$/, "") + "images/";
    return "/static/vendor/leaflet/images/";
  }

  function addBaseLayer(map, container) {
    var tilesUrl = container.getAttribute("data-tiles-url") || "";
    if (tilesUrl) {
      L.tileLayer(tilesUrl, {
        attribution: container.getAttribute("data-tiles-attribution") || "",
        maxZoom: 19,
      }).addTo(map);
      return;
    }
    container.classList.add("map-plain");
    var baseLayer = container.getAttribute("data-base-layer");
    if (!baseLayer) return;
    var url = new URL(baseLayer, window.location.href);
    if (url.origin !== window.location.origin) return;
    fetch(url.href, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (geojson) {
        var outline = L.geoJSON(geojson, {
          interactive: false,
          className: "map-land",
          style: function () {
            return { color: "#ffffff", weight: 1, fillColor: "#e4e2dc", fillOpacity: 1 };
          },
          attribution: "Natural Earth",
        }).addTo(map);
        outline.bringToBack();
      })
      .catch(function () {
        // The markers still show on the plain background.
      });
  }

  function init() {
    var container = document.getElementById("event-map");
    if (!container || typeof window.L === "undefined") return;
    var points = [];
    readPoints().forEach(function (p) {
      var lat = p ? Number(p.lat) : NaN;
      var lon = p ? Number(p.lon) : NaN;
      if (isNumber(lat) && isNumber(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
        points.push({
          lat: lat, lon: lon, title: String(p.title || ""), url: p.url, when: p.when, town: String(p.town || ""),
        });
      }
    });
    if (!points.length) return;
    // The place searched (a town or a postal code's town), drawn as a ring with its name.
    var centre = readJson("map-centre", null);
    if (!(centre && isNumber(centre.lat) && isNumber(centre.lon) && Math.abs(centre.lat) <= 90 &&
          Math.abs(centre.lon) <= 180)) {
      centre = null;
    }

    L.Icon.Default.imagePath = leafletImagePath();
    var map = L.map(container, { attributionControl: true, scrollWheelZoom: false });
    var latLngs = points.map(function (point) {
      return L.latLng(point.lat, point.lon);
    });
    // The view first: Leaflet draws layers only once the map has one. With only the coarse outline
    // (no tiles), a street-level view of one point would be an empty grey square: show the region.
    // Without tiles the outline says little beyond zoom 10, but the town labels still place the
    // pins: fit the results, never closer than a town's scale.
    var plain = !container.getAttribute("data-tiles-url");
    var closest = plain ? 10 : 15;
    map.setMaxZoom(plain ? 12 : 19);
    var bounds = L.latLngBounds(latLngs);
    if (centre) bounds.extend(L.latLng(centre.lat, centre.lon));
    if (bounds.getNorthEast().equals(bounds.getSouthWest())) {
      map.setView(bounds.getCenter(), plain ? 9 : 14);
    } else {
      map.fitBounds(bounds, { padding: [32, 32], maxZoom: closest });
    }
    addBaseLayer(map, container);
    L.control.scale({ position: "bottomleft" }).addTo(map);

    if (centre) {
      var searched = L.circleMarker(L.latLng(centre.lat, centre.lon), {
        radius: 12, weight: 3, color: "#1d2125", fill: false, interactive: false, className: "map-centre",
      }).addTo(map);
      if (centre.name) addLabel(searched, String(centre.name), "map-label map-label-centre");
    }
    var labelledTowns = {};
    if (centre && centre.name) labelledTowns[String(centre.name)] = true;

    points.forEach(function (point, index) {
      var marker = L.circleMarker(latLngs[index], {
        radius: 8,
        weight: 2,
        color: "#ffffff",
        fillColor: "#0a58a8",
        fillOpacity: 1,
        className: "map-marker",
      }).addTo(map);
      marker.bindPopup(popupContent(point));
      // Each town once: its first pin carries the name (the street map a tile server would give).
      if (point.town && !labelledTowns[point.town]) {
        labelledTowns[point.town] = true;
        addLabel(marker, point.town, "map-label");
      }
      // Circle markers are SVG paths: give each an accessible name, a hover title, and the keyboard.
      var path = marker.getElement();
      if (!path) return;
      path.setAttribute("role", "button");
      path.setAttribute("tabindex", "0");
      path.setAttribute("aria-label", point.title);
      var svgTitle = document.createElementNS("http://www.w3.org/2000/svg", "title");
      svgTitle.textContent = point.title;
      path.appendChild(svgTitle);
      path.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          marker.openPopup();
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
