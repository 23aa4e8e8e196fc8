/* The field app's service worker (served by county/field.py at /field/sw.js, scope /field/).
 * Version {{ version }}.
 *
 * - Keeps the app's page, scripts, styles, icons and the user's reference data for offline use:
 *   the page and the reference data network first (the cached copy when there is no network),
 *   static files cache first.
 * - Background Sync ("field-upload"): sends the records waiting in IndexedDB when the network
 *   returns, through the same queue as the page (static/js/field/queue.js), and tells the open
 *   pages to redraw their queue.
 */
"use strict";
var CACHE = "county-field-{{ version }}";
var FILES = {{ files|safe }};
var REFERENCES = {{ references|safe }};
var SESSION = "{{ session }}";
var SHELL = "{{ shell }}";
importScripts({{ imports|safe }});

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(FILES).then(function () {
      return Promise.all(REFERENCES.map(function (url) {
        return fetch(url, { credentials: "same-origin" }).then(function (response) {
          if (keepable(response)) { return cache.put(url, response); }
        }).catch(function () {});
      }));
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("county-field-") === 0 && key !== CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

function keepable(response) {
  return response && response.ok && !response.redirected && response.type === "basic";
}

function networkFirst(request, key) {
  return fetch(request).then(function (response) {
    if (keepable(response)) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(key || request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) { return cache.match(key || request); }).then(function (hit) {
      return hit || Response.error();
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname === SHELL && request.mode === "navigate") {
    event.respondWith(networkFirst(request, SHELL));
  } else if (REFERENCES.indexOf(url.pathname) >= 0) {
    event.respondWith(networkFirst(request, url.pathname));
  } else if (FILES.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(url.pathname).then(function (hit) { return hit || fetch(request); });
    }));
  }
});

function tellPages(message) {
  return self.clients.matchAll({ type: "window" }).then(function (pages) {
    pages.forEach(function (page) { page.postMessage(message); });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag !== "field-upload") { return; }
  event.waitUntil(self.FieldStore.open().then(function (store) {
    var queue = self.FieldQueue.createQueue({
      store: store,
      send: self.FieldQueue.httpSender({ fetch: self.fetch.bind(self), sessionUrl: SESSION, FormData: self.FormData }),
      onChange: function () { tellPages({ type: "field-queue-changed" }); }
    });
    return queue.flush();
  }).then(function (summary) {
    tellPages({ type: "field-queue-changed" });
    if (summary.stopped && !summary.login) { throw new Error("retry later"); } // the browser retries
  }));
});
