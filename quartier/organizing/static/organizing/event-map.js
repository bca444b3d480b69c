// The events map (organizing/_map.html). Vendored Leaflet; no request leaves the site except to the
// operator's own tile server (MAP_TILES_URL, which the CSP then allows). Without one, a vendored
// Natural Earth outline of the countries is drawn. Titles are user-written: text only, never HTML.
(function () {
  "use strict";

  function readPoints() {
    var script = document.getElementById("map-points");
    if (!script) return [];
    try {
      var data = JSON.parse(script.textContent);
      return Array.isArray(data) ? data : [];
    } catch (error) {
      return [];
    }
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
        points.push({ lat: lat, lon: lon, title: String(p.title || ""), url: p.url, when: p.when });
      }
    });
    if (!points.length) return;

    L.Icon.Default.imagePath = leafletImagePath();
    var map = L.map(container, { attributionControl: true, scrollWheelZoom: false });
    var latLngs = points.map(function (point) {
      return L.latLng(point.lat, point.lon);
    });
    // The view first: Leaflet draws layers only once the map has one. With only the coarse outline
    // (no tiles), a street-level view of one point would be an empty grey square: show the region.
    var plain = !container.getAttribute("data-tiles-url");
    if (latLngs.length === 1) {
      map.setView(latLngs[0], plain ? 6 : 14);
    } else {
      map.fitBounds(L.latLngBounds(latLngs), { padding: [24, 24], maxZoom: 14 });
    }
    addBaseLayer(map, container);
    L.control.scale({ position: "bottomleft" }).addTo(map);

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
