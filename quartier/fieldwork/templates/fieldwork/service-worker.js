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
function keptHere(url) {
  var path = new URL(url, self.location.href);
  if (path.origin !== self.location.origin) return false;
  return /^\/fieldwork\/lists\/\d+\/(print\/)?$/.test(path.pathname) || path.pathname.indexOf("{{ static_url }}") === 0;
}
// "keep" (canvass.js, once this worker is active): the page was loaded before this worker could see
// it (a first visit), so it asks for its own address and assets to be cached now, and is told when
// they are: the list then opens offline right after the first online visit. A copy that cannot be
// fetched (offline again) leaves the one already kept.
function keep(urls) {
  return caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.filter(keptHere).map(function (url) {
      return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return cache.put(url, response);
      });
    }));
  });
}
// Sign-out (canvass.js, before the sign-out request): forget every cached list at once.
self.addEventListener("message", function (event) {
  if (!event.data) return;
  if (event.data.type === "keep" && Array.isArray(event.data.urls)) {
    var reply = event.ports && event.ports[0];
    event.waitUntil(keep(event.data.urls.slice(0, 50)).then(
      function () { if (reply) reply.postMessage({ type: "kept" }); },
      function () { if (reply) reply.postMessage({ type: "not-kept" }); }
    ));
    return;
  }
  if (event.data.type !== "forget") return;
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.map(function (key) { return caches.delete(key); }));
  }));
});
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (!keptHere(request.url)) return;
  // Network first (fresh doors and a fresh token), the cached copy when offline.
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      // Vary aside: a copy kept by "keep" was asked for with other headers than a navigation.
      return caches.match(request, { ignoreVary: true }).then(function (cached) {
        return cached || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
      });
    })
  );
});
