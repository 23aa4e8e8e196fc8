/* The field app's records on the phone (IndexedDB "county-field", store "records", keyed by the
 * record's client id). Photos are kept as Blobs beside the fields. Used by the page and the
 * service worker: FieldStore.open() → {all, put, remove}.
 */
(function (root) {
  "use strict";
  var NAME = "county-field", VERSION = 1, RECORDS = "records";

  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function open() {
    var req = root.indexedDB.open(NAME, VERSION);
    req.onupgradeneeded = function () {
      if (!req.result.objectStoreNames.contains(RECORDS)) {
        req.result.createObjectStore(RECORDS, { keyPath: "id" });
      }
    };
    return request(req).then(function (db) {
      function run(mode, work) {
        var tx = db.transaction(RECORDS, mode);
        var result = work(tx.objectStore(RECORDS));
        return new Promise(function (resolve, reject) {
          tx.oncomplete = function () { resolve(result && result.result); };
          tx.onerror = function () { reject(tx.error); };
          tx.onabort = function () { reject(tx.error); };
        });
      }
      return {
        all: function () { return run("readonly", function (s) { return s.getAll(); }).then(function (rows) { return rows || []; }); },
        put: function (record) { return run("readwrite", function (s) { s.put(record); }); },
        remove: function (id) { return run("readwrite", function (s) { s.delete(id); }); }
      };
    });
  }

  root.FieldStore = { open: open };
})(typeof self !== "undefined" ? self : this);
