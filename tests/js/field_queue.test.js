/* The field app's upload queue (static/js/field/queue.js) under Node's built-in test runner:
 *   node --test tests/js/
 * The store is a Map, the sender a script of answers: no browser, no server.
 */
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const FieldQueue = require(path.join(__dirname, "..", "..", "static", "js", "field", "queue.js"));
const FieldPhotos = require(path.join(__dirname, "..", "..", "static", "js", "field", "photos.js"));

function memoryStore() {
  const rows = new Map();
  return {
    rows,
    all: async () => [...rows.values()].map((r) => ({ ...r })),
    put: async (r) => { rows.set(r.id, { ...r }); },
    remove: async (id) => { rows.delete(id); },
  };
}

function scriptedSender(answers) {
  const sent = [];
  const send = async (record) => {
    sent.push(record.id);
    const next = answers.shift();
    if (next instanceof Error) { throw next; }
    return typeof next === "function" ? next(record) : next;
  };
  return { send, sent };
}

function queueWith(answers, clock = { t: 1000 }) {
  const store = memoryStore();
  const sender = scriptedSender(answers);
  const queue = FieldQueue.createQueue({ store, send: sender.send, now: () => (clock.t += 1) });
  return { queue, store, sender, clock };
}

test("every record gets its own UUID v4", () => {
  const ids = new Set(Array.from({ length: 200 }, () => FieldQueue.uuid4()));
  assert.equal(ids.size, 200);
  for (const id of ids) { assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/); }
  const fallback = FieldQueue.uuid4({ getRandomValues: (b) => b.fill(7) });
  assert.match(fallback, /^07070707-0707-4707-8707-070707070707$/);
});

test("records wait while offline, then go once each, oldest first", async () => {
  const { queue, sender, store } = queueWith([new TypeError("Failed to fetch")]);
  const a = await queue.add("problem", "/p/", { description: "甲" }, [], "甲");
  const b = await queue.add("problem", "/p/", { description: "乙" }, [], "乙");
  assert.equal((await queue.counts()).waiting, 2);

  const offline = await queue.flush();
  assert.deepEqual(offline, { sent: 0, stopped: true, login: false });
  assert.deepEqual(sender.sent, [a.id]); // stops at the first network failure
  assert.equal((await queue.counts()).waiting, 2);

  sender.sent.length = 0;
  const answers = [{ status: 201, body: { id: 1, number: 9 } }, { status: 201, body: { id: 2, number: 10 } }];
  const online = FieldQueue.createQueue({
    store, send: async (r) => { sender.sent.push(r.id); return answers.shift(); },
  });
  const result = await online.flush();
  assert.equal(result.sent, 2);
  assert.deepEqual(sender.sent, [a.id, b.id]);
  const counts = await online.counts();
  assert.equal(counts.waiting, 0);
  assert.equal(counts.done, 2);
  await online.flush(); // nothing due: nothing sent again
  assert.equal(sender.sent.length, 2);
});

test("a retry that the server already has (200) is done, not a new record", async () => {
  const { queue, sender } = queueWith([{ status: 200, body: { id: 5, created: false } }]);
  const r = await queue.add("problem", "/p/", {}, [{ blob: "x" }], "丙");
  await queue.flush();
  const [row] = await queue.list();
  assert.equal(row.id, r.id);
  assert.equal(row.state, FieldQueue.DONE);
  assert.equal(row.message, "已上传（服务器已有该记录）");
  assert.deepEqual(row.photos, []); // the phone's copy of the photos is freed
  assert.equal(sender.sent.length, 1);
});

test("a conflict is kept and shown with the server's message, never dropped", async () => {
  const message = "只有“已交办”或“整改中”的问题可以提交整改。";
  const { queue, sender } = queueWith([{ status: 409, body: { conflict: message } }, { status: 201, body: {} }]);
  const conflicted = await queue.add("rectify", "/s/", { note: "已清运" }, [], "第3号");
  const next = await queue.add("problem", "/p/", {}, [], "丁");
  const summary = await queue.flush();
  assert.equal(summary.sent, 1); // the next record still goes
  const rows = await queue.list();
  const kept = rows.find((r) => r.id === conflicted.id);
  assert.equal(kept.state, FieldQueue.CONFLICT);
  assert.equal(kept.message, message);
  assert.equal(rows.find((r) => r.id === next.id).state, FieldQueue.DONE);
  await queue.flush();
  assert.equal(sender.sent.length, 2); // a conflict is not sent again by itself
  const counts = await queue.counts();
  assert.deepEqual([counts.waiting, counts.conflict], [0, 1]);
  await queue.discard(conflicted.id); // only the user removes it
  assert.equal((await queue.counts()).conflict, 0);
});

test("invalid records keep the field errors; a server error or a lost login waits", () => {
  const invalid = FieldQueue.classify({ status: 400, body: { errors: { description: ["请填写问题描述。"], latitude: ["纬度有误。"] } } });
  assert.deepEqual([invalid.state, invalid.message], [FieldQueue.INVALID, "请填写问题描述。 纬度有误。"]);
  assert.equal(FieldQueue.classify({ status: 502 }).state, FieldQueue.PENDING);
  assert.equal(FieldQueue.classify({ status: 502 }).stop, true);
  const login = FieldQueue.classify({ login: true });
  assert.deepEqual([login.state, login.stop, login.login], [FieldQueue.PENDING, true, true]);
  assert.equal(FieldQueue.classify({ status: 404 }).state, FieldQueue.INVALID);
});

test("a send cut off by a closed page is sent again later; one flush at a time", async () => {
  const clock = { t: 1000 };
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  const { queue, sender, store } = queueWith([() => gate.then(() => ({ status: 201, body: {} }))], clock);
  const r = await queue.add("inspect", "/i/", {}, [], "戊");
  const first = queue.flush();
  const second = queue.flush();
  assert.equal(first, second); // the same run
  release();
  await first;
  assert.equal(sender.sent.length, 1);

  // a record left "sending" (the page was closed mid-upload) is due again after two minutes
  const stuck = { ...store.rows.get(r.id), state: FieldQueue.SENDING, sentAt: clock.t };
  store.rows.set(r.id, stuck);
  const answers = [{ status: 200, body: {} }];
  const later = FieldQueue.createQueue({ store, send: async (x) => { sender.sent.push(x.id); return answers.shift(); }, now: () => clock.t });
  await later.flush();
  assert.equal(sender.sent.length, 1); // not yet
  clock.t += 3 * 60 * 1000;
  await later.flush();
  assert.equal(sender.sent.length, 2);
});

test("the HTTP sender: a fresh CSRF token, the client id and photos in a multipart POST", async () => {
  const calls = [];
  const json = (status, body, extra = {}) => ({
    status, ok: status < 400, redirected: false, url: "", headers: { get: () => "application/json" },
    json: async () => body, ...extra,
  });
  const fetch = async (url, init = {}) => {
    calls.push({ url, init });
    if (url === "/field/session/") { return json(200, { csrf: `tok${calls.length}` }); }
    if (calls.filter((c) => c.url === url).length === 1) { return json(403, null, { headers: { get: () => "text/html" } }); }
    return json(201, { id: 1 });
  };
  const send = FieldQueue.httpSender({ fetch, sessionUrl: "/field/session/", FormData });
  const record = { id: "11111111-1111-4111-8111-111111111111", url: "/p/", fields: { description: "己", departments: ["3", "4"], village: "" }, photos: [{ blob: new Blob(["jpeg"]), name: "a.jpg", field: "found_photos" }] };
  const answer = await send(record);
  assert.deepEqual(answer, { status: 201, body: { id: 1 } });
  // a 403 (a token from before a new login) fetches a new token and tries once more
  assert.deepEqual(calls.map((c) => c.url), ["/field/session/", "/p/", "/field/session/", "/p/"]);
  const post = calls[3].init;
  assert.equal(post.headers["X-CSRFToken"], "tok3");
  assert.equal(post.body.get("client_id"), record.id);
  assert.deepEqual(post.body.getAll("departments"), ["3", "4"]);
  assert.equal(post.body.get("village"), null); // empty values are left out
  assert.equal(post.body.get("found_photos").name, "a.jpg");

  const signedOut = FieldQueue.httpSender({
    fetch: async () => ({ redirected: true, url: "http://x/login/?next=/field/session/", status: 200, ok: true, headers: { get: () => "text/html" } }),
    sessionUrl: "/field/session/", FormData,
  });
  assert.deepEqual(await signedOut(record), { login: true });
});

test("a record made by one user is never sent while another is signed in on the phone", async () => {
  const posted = [];
  let signedIn = "t02";
  const json = (status, body) => ({
    status, ok: status < 400, redirected: false, url: "", headers: { get: () => "application/json" },
    json: async () => body,
  });
  const fetch = async (url) => {
    if (url === "/field/session/") { return json(200, { csrf: "tok", user: signedIn }); }
    posted.push(url);
    return json(201, { id: posted.length });
  };
  const store = memoryStore();
  const send = FieldQueue.httpSender({ fetch, sessionUrl: "/field/session/", FormData });
  const mine = FieldQueue.createQueue({ store, send, owner: "t01", now: () => 1 });
  const record = await mine.add("problem", "/p/", { description: "甲" }, [], "甲");
  assert.equal(record.owner, "t01");

  const other = await mine.flush(); // t02 is signed in: t01's record stays on the phone, unsent
  assert.deepEqual(other, { sent: 0, stopped: false, login: false });
  assert.deepEqual(posted, []);
  const [waiting] = await mine.list();
  assert.equal(waiting.state, "pending");
  assert.match(waiting.message, /由账号 t01 录入/);

  signedIn = "t01"; // its owner signs in again (a new sender: a new page or worker)
  const again = FieldQueue.createQueue({
    store, send: FieldQueue.httpSender({ fetch, sessionUrl: "/field/session/", FormData }), owner: "t01",
  });
  assert.deepEqual(await again.flush(), { sent: 1, stopped: false, login: false });
  assert.deepEqual(posted, ["/p/"]);

  // a record queued before records had owners is sent as before
  const legacy = FieldQueue.createQueue({ store: memoryStore(), send });
  await legacy.add("problem", "/q/", {}, [], "旧");
  signedIn = "t02";
  assert.equal((await legacy.flush()).sent, 1);
});

test("photos are fitted within 1600 px on the long side, never enlarged", () => {
  assert.deepEqual(FieldPhotos.fitWithin(4000, 3000, 1600), { width: 1600, height: 1200 });
  assert.deepEqual(FieldPhotos.fitWithin(3000, 4000, 1600), { width: 1200, height: 1600 });
  assert.deepEqual(FieldPhotos.fitWithin(800, 600, 1600), { width: 800, height: 600 });
});
