/* On the login page (nobody is signed in in this browser, or someone is about to sign in): drop
 * what the field app's service worker kept of the last user — its page and reference data (the
 * problems to rectify, the parcels to inspect …) — from every "county-field-*" cache, keeping the
 * static files. Records still waiting to be uploaded are in IndexedDB and stay with their owner
 * (static/js/field/queue.js). Marks <body data-field-cleared="1"> when done.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var staticPrefix = (script && script.dataset.static) || "/static/";
  function done() { document.body.dataset.fieldCleared = "1"; }
  if (!("caches" in window)) { done(); return; }
  caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) { return key.indexOf("county-field-") === 0; }).map(function (key) {
      return caches.open(key).then(function (cache) {
        return cache.keys().then(function (requests) {
          return Promise.all(requests.filter(function (request) {
            return new URL(request.url).pathname.indexOf(staticPrefix) !== 0;
          }).map(function (request) { return cache.delete(request); }));
        });
      });
    }));
  }).catch(function () {}).then(done);
})();
