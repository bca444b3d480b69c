// The canvass pages' service worker: keeps the pages and their assets for offline use. Results are
// not sent from here: the page keeps them in local storage and sends them when back online. Signing
// out empties its cache (Clear-Site-Data on the sign-out response, and the "forget" message).
"use strict";
var CACHE = "quartier-canvass-v1";
self.addEventListener("install", function () {
  self.skipWaiting();
});
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) { return key !== CACHE; }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});
// Sign-out (canvass.js, before the sign-out request): forget every cached list at once.
self.addEventListener("message", function (event) {
  if (!event.data || event.data.type !== "forget") return;
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.map(function (key) { return caches.delete(key); }));
  }));
});
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var isList = /^\/fieldwork\/lists\/\d+\/(print\/)?$/.test(url.pathname);
  var isAsset = url.pathname.indexOf("{{ static_url }}") === 0;
  if (!isList && !isAsset) return;
  // Network first (fresh doors and a fresh token), the cached copy when offline.
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request).then(function (cached) {
        return cached || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
      });
    })
  );
});
