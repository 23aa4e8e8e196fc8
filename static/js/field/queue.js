/* The field app's upload queue: records kept on the phone until the server has them.
 *
 * Each record carries the id the phone gave it (client_id, a UUID) and is sent again until the
 * server answers: 201 (created) or 200 (it already had it: a retry creates nothing) → done;
 * 409 → conflict (e.g. the problem was closed meanwhile): kept and shown, never dropped;
 * 400/403/404 → invalid, kept and shown with the server's message; signed out → the queue
 * stops and waits for a login; no network or a server error → stays pending for the next try.
 * A record remembers who made it (``owner``, the username): while someone else is signed in on
 * the phone it is not sent (it would be kept under their name) and waits for its owner.
 *
 * Used by the page (app.js), the service worker (Background Sync) and Node's test runner, so it
 * touches no DOM: the store and the sender are passed in.
 */
(function (root, factory) {
  var api = factory();
  if (typeof module === "object" && module.exports) { module.exports = api; } else { root.FieldQueue = api; }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var PENDING = "pending", SENDING = "sending", DONE = "done", CONFLICT = "conflict", INVALID = "invalid";
  var STALE_SENDING_MS = 2 * 60 * 1000; // a send cut off by a closed page is tried again
  var KEEP_DONE = 20;

  function uuid4(cryptoObj) {
    var c = cryptoObj || (typeof crypto !== "undefined" ? crypto : null);
    if (c && typeof c.randomUUID === "function") { return c.randomUUID(); }
    var bytes = new Uint8Array(16);
    c.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function messagesOf(body) {
    if (!body) { return ""; }
    if (body.conflict) { return String(body.conflict); }
    var errors = body.errors || {};
    var out = [];
    Object.keys(errors).forEach(function (name) { out = out.concat(errors[name]); });
    return out.join(" ");
  }

  /* What an answer means for the record: {state, message, stop}. */
  function classify(answer) {
    if (answer.network) { return { state: PENDING, message: "网络不可用，稍后自动上传。", stop: true }; }
    if (answer.login) { return { state: PENDING, message: "登录已过期，请重新登录后上传。", stop: true, login: true }; }
    if (answer.otherUser) {
      return { state: PENDING, message: "由账号 " + answer.otherUser + " 录入，当前登录的是其他账号：请 " + answer.otherUser + " 登录后上传（不会以当前账号提交）。" };
    }
    var status = answer.status;
    if (status === 200 || status === 201) { return { state: DONE, message: status === 201 ? "已上传" : "已上传（服务器已有该记录）" }; }
    if (status === 409) { return { state: CONFLICT, message: messagesOf(answer.body) || "记录与服务器上的情况冲突。" }; }
    if (status === 400) { return { state: INVALID, message: messagesOf(answer.body) || "服务器未接受该记录。" }; }
    if (status === 403) { return { state: INVALID, message: "没有权限提交该记录。" }; }
    if (status === 404) { return { state: INVALID, message: "找不到该记录的对象（可能已作废或无权查看）。" }; }
    if (status === 401) { return { state: PENDING, message: "登录已过期，请重新登录后上传。", stop: true, login: true }; }
    return { state: PENDING, message: "服务器暂时无法处理（" + status + "），稍后重试。", stop: true };
  }

  function byCreated(a, b) { return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0; }

  /* store: {all(), put(record), remove(id)} returning promises; send(record) → answer. */
  function createQueue(options) {
    var store = options.store, send = options.send, owner = options.owner || "";
    var now = options.now || function () { return Date.now(); };
    var onChange = options.onChange || function () {};
    var running = null;

    function add(kind, url, fields, photos, label) {
      var record = {
        id: uuid4(options.crypto), owner: owner, kind: kind, url: url, fields: fields || {}, photos: photos || [],
        label: label || "", state: PENDING, message: "", attempts: 0, createdAt: now(), sentAt: null, result: null
      };
      return store.put(record).then(function () { onChange(); return record; });
    }

    function list() { return store.all().then(function (rows) { return rows.sort(byCreated); }); }

    function counts() {
      return list().then(function (rows) {
        var c = { waiting: 0, conflict: 0, invalid: 0, done: 0 };
        rows.forEach(function (r) {
          if (r.state === PENDING || r.state === SENDING) { c.waiting += 1; } else if (r.state === CONFLICT) { c.conflict += 1; } else if (r.state === INVALID) { c.invalid += 1; } else { c.done += 1; }
        });
        return c;
      });
    }

    function due(record) {
      if (record.state === PENDING) { return true; }
      return record.state === SENDING && now() - (record.sentAt || 0) > STALE_SENDING_MS;
    }

    function sendOne(record) {
      record.state = SENDING;
      record.sentAt = now();
      record.attempts += 1;
      return store.put(record).then(function () {
        return Promise.resolve().then(function () { return send(record); }).catch(function () { return { network: true }; });
      }).then(function (answer) {
        var verdict = classify(answer);
        record.state = verdict.state;
        record.message = verdict.message;
        if (verdict.state === DONE) {
          record.result = answer.body || null;
          record.photos = []; // the server has them: free the phone's storage
          record.doneAt = now();
        }
        return store.put(record).then(function () { onChange(); return verdict; });
      });
    }

    function prune() {
      return list().then(function (rows) {
        var done = rows.filter(function (r) { return r.state === DONE; });
        var extra = done.slice(0, Math.max(0, done.length - KEEP_DONE));
        return Promise.all(extra.map(function (r) { return store.remove(r.id); }));
      });
    }

    /* Send every due record, oldest first; one flush at a time. → {sent, stopped, login} */
    function flush() {
      if (running) { return running; }
      var summary = { sent: 0, stopped: false, login: false };
      running = list().then(function (rows) {
        var todo = rows.filter(due);
        function next(i) {
          if (i >= todo.length) { return summary; }
          return sendOne(todo[i]).then(function (verdict) {
            if (verdict.state === DONE) { summary.sent += 1; }
            if (verdict.stop) { summary.stopped = true; summary.login = Boolean(verdict.login); return summary; }
            return next(i + 1);
          });
        }
        return next(0);
      }).then(function (result) { return prune().then(function () { return result; }); })
        .finally(function () { running = null; });
      return running;
    }

    function discard(id) { return store.remove(id).then(function () { onChange(); }); }

    return { add: add, list: list, counts: counts, flush: flush, discard: discard };
  }

  /* A sender over fetch: a fresh CSRF token (and who is signed in) from the session URL, then a
   * multipart POST; a record made by another user than the one signed in is not sent. */
  function httpSender(options) {
    var fetchFn = options.fetch, sessionUrl = options.sessionUrl, FormDataCtor = options.FormData;
    var token = null, signedInAs = "";

    function json(response) {
      var type = (response.headers && response.headers.get && response.headers.get("content-type")) || "";
      return type.indexOf("json") >= 0 ? response.json().catch(function () { return null; }) : Promise.resolve(null);
    }

    function signedOut(response) {
      return response.redirected && /\/login\//.test(response.url || "");
    }

    function csrf() {
      if (token) { return Promise.resolve(token); }
      return fetchFn(sessionUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (signedOut(response) || response.status === 401) { return null; }
          if (!response.ok) { throw new Error("session " + response.status); }
          return json(response).then(function (body) {
            token = body && body.csrf;
            signedInAs = (body && body.user) || "";
            return token;
          });
        });
    }

    function form(record) {
      var data = new FormDataCtor();
      data.append("client_id", record.id);
      Object.keys(record.fields).forEach(function (name) {
        var value = record.fields[name];
        (Array.isArray(value) ? value : [value]).forEach(function (v) {
          if (v !== null && v !== undefined && v !== "") { data.append(name, String(v)); }
        });
      });
      (record.photos || []).forEach(function (photo, i) {
        data.append(photo.field || "photos", photo.blob, photo.name || ("photo-" + (i + 1) + ".jpg"));
      });
      return data;
    }

    function post(record, again) {
      return csrf().then(function (csrfToken) {
        if (!csrfToken) { return { login: true }; }
        if (record.owner && signedInAs && record.owner !== signedInAs) { return { otherUser: record.owner }; }
        return fetchFn(record.url, {
          method: "POST", body: form(record), credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken, Accept: "application/json" }
        }).then(function (response) {
          if (signedOut(response)) { token = null; return { login: true }; }
          if (response.status === 403 && !again) {
            token = null; // a token from before a new login: fetch a fresh one and try once more
            return post(record, true);
          }
          return json(response).then(function (body) { return { status: response.status, body: body }; });
        });
      });
    }

    return function send(record) { return post(record, false); };
  }

  return {
    PENDING: PENDING, SENDING: SENDING, DONE: DONE, CONFLICT: CONFLICT, INVALID: INVALID,
    uuid4: uuid4, classify: classify, createQueue: createQueue, httpSender: httpSender
  };
});
