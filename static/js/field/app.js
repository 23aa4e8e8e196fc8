/* The field app's page (/field/): 新建问题, 整改, 巡查 and the 待上传 queue.
 *
 * Reference data comes from the workstreams' field endpoints named in #field-config (the
 * service worker keeps the last copy for offline use). A saved record goes to IndexedDB first
 * (FieldStore), then the queue (FieldQueue) sends it when the network is there: at once when
 * online, through Background Sync where the browser has it, on the "online" event and on the
 * next opening otherwise.
 */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("field-config").textContent);
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var state = { env: null, land: null, queue: null, photos: {}, position: null, deadlineTouched: false, registration: null };
  var KIND_LABELS = { problem: "新建问题", rectify: "整改", inspect: "巡查" };
  var STATE_LABELS = { pending: "待上传", sending: "上传中", done: "已上传", conflict: "冲突", invalid: "未被接受" };

  function notice(text, tone) {
    var box = $("[data-notice]");
    box.textContent = text || "";
    box.className = "alert small py-2 alert-" + (tone || "info");
    box.hidden = !text;
  }

  function option(select, value, text) {
    var opt = document.createElement("option");
    opt.value = value;
    opt.textContent = text;
    select.appendChild(opt);
    return opt;
  }

  // A moment as the pages write it (county/templatetags/dates.py cn_datetime): 2027年2月13日 14:05
  function cnDateTime(when) {
    return when.getFullYear() + "年" + (when.getMonth() + 1) + "月" + when.getDate() + "日 " +
      String(when.getHours()).padStart(2, "0") + ":" + String(when.getMinutes()).padStart(2, "0");
  }

  function isoDate(date) {
    var d = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
    return d.toISOString().slice(0, 10);
  }

  function addDays(iso, days) {
    var parts = iso.split("-").map(Number);
    return isoDate(new Date(parts[0], parts[1] - 1, parts[2] + days));
  }

  /* --- tabs ------------------------------------------------------------------------------- */
  function showTab(name) {
    $$("[data-tab]").forEach(function (tab) { tab.classList.toggle("active", tab.dataset.tab === name); });
    $$("[data-panel]").forEach(function (panel) { panel.hidden = panel.dataset.panel !== name; });
    if (name === "queue") { renderQueue(); }
  }

  document.addEventListener("click", function (event) {
    var tab = event.target.closest("[data-tab]");
    if (tab) { showTab(tab.dataset.tab); }
  });

  /* --- reference data ------------------------------------------------------------------------ */
  function loadJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok || (response.headers.get("content-type") || "").indexOf("json") < 0) {
        throw new Error(response.redirected ? "login" : "status " + response.status);
      }
      return response.json();
    });
  }

  function loadReferences() {
    var refs = config.references || {};
    var jobs = [];
    if (refs.environment) { jobs.push(loadJson(refs.environment).then(function (d) { state.env = d; })); }
    if (refs.abandoned_land) { jobs.push(loadJson(refs.abandoned_land).then(function (d) { state.land = d; })); }
    return Promise.all(jobs.map(function (job) { return job.catch(function (e) { return e; }); })).then(function (results) {
      var failed = results.filter(Boolean);
      if (failed.some(function (e) { return e.message === "login"; })) {
        notice("登录已过期，请重新登录。", "warning");
      } else if (failed.length) {
        notice("暂时取不到基础数据（离线且本机没有保存过）。请联网后打开一次本页。", "warning");
      }
    });
  }

  function fillProblemForm(env) {
    var form = $("[data-form=problem]");
    var category = form.elements.category, township = form.elements.township;
    category.innerHTML = "";
    option(category, "", "请选择问题类别");
    var groups = {};
    env.categories.forEach(function (c) {
      if (!groups[c.group]) { groups[c.group] = document.createElement("optgroup"); groups[c.group].label = c.group; category.appendChild(groups[c.group]); }
      var opt = option(groups[c.group], c.id, c.name);
      opt.dataset.days = c.days;
    });
    township.innerHTML = "";
    option(township, "", "请选择乡镇");
    env.townships.forEach(function (t) { option(township, t.id, t.name); });
    var departments = form.elements.departments;
    departments.innerHTML = "";
    env.departments.forEach(function (d) { option(departments, d.id, d.name); });
    fillVillages();
    form.elements.found_on.value = env.today;
    suggestDeadline();
    $$("[data-max-photos]").forEach(function (el) { el.textContent = env.max_photos; });
  }

  function fillVillages() {
    var form = $("[data-form=problem]");
    var village = form.elements.village, township = form.elements.township.value;
    village.innerHTML = "";
    option(village, "", township ? "不选（在场镇或未定）" : "请先选择乡镇");
    (state.env.villages || []).forEach(function (v) {
      if (String(v.township_id) === township) { option(village, v.id, v.name); }
    });
  }

  function suggestDeadline() {
    var form = $("[data-form=problem]");
    var chosen = form.elements.category.selectedOptions[0];
    var days = chosen && chosen.dataset.days ? Number(chosen.dataset.days) : 7;
    var found = form.elements.found_on.value;
    if (found && !state.deadlineTouched) { form.elements.deadline.value = addDays(found, days); }
    $("[data-deadline-hint]").textContent = "按类别规则：发现后 " + days + " 天内整改";
  }

  function fillRectifyList(env, queued) {
    var list = $("[data-rectify-list]");
    var waiting = {};
    (queued || []).forEach(function (r) { if (r.kind === "rectify" && r.state !== "done") { waiting[r.url] = r; } });
    list.innerHTML = "";
    if (!env.rectify.length) {
      var empty = document.createElement("p");
      empty.className = "text-secondary small";
      empty.textContent = "本单位没有待整改的问题。";
      list.appendChild(empty);
    }
    env.rectify.forEach(function (p) {
      var item = document.createElement("button");
      item.type = "button";
      item.className = "list-group-item list-group-item-action";
      item.dataset.problem = p.id;
      var title = document.createElement("div");
      title.className = "fw-semibold";
      title.textContent = "第" + p.number + "号 " + p.title;
      var meta = document.createElement("div");
      meta.className = "small text-secondary";
      meta.textContent = p.township + " · " + p.status + " · 时限 " + p.deadline;
      item.appendChild(title);
      item.appendChild(meta);
      if (waiting[p.submit_url]) {
        item.disabled = true;
        meta.textContent += " · 整改已保存在本机（" + STATE_LABELS[waiting[p.submit_url].state] + "）";
      }
      item.addEventListener("click", function () { openRectify(p); });
      list.appendChild(item);
    });
  }

  function refreshRectifyList() {
    if (!state.env || !state.queue) { return Promise.resolve(); }
    return state.queue.list().then(function (rows) { fillRectifyList(state.env, rows); });
  }

  /* after an upload: the problems still to rectify, as the server now sees them */
  function reloadRectify() {
    var url = (config.references || {}).environment;
    if (!url || !state.env || $("[data-rectify-list]").hidden) { return refreshRectifyList(); }
    return loadJson(url).then(function (data) { state.env.rectify = data.rectify; }).catch(function () {}).then(refreshRectifyList);
  }

  function openRectify(p) {
    var form = $("[data-form=rectify]");
    form.hidden = false;
    $("[data-rectify-list]").hidden = true;
    form.elements.problem.value = p.id;
    form.dataset.url = p.submit_url;
    form.dataset.label = "第" + p.number + "号 " + p.title;
    $("[data-rectify-title]").textContent = "整改：" + form.dataset.label;
  }

  function closeRectify() {
    var form = $("[data-form=rectify]");
    form.reset();
    form.hidden = true;
    clearPhotos("r-photos");
    $("[data-rectify-list]").hidden = false;
  }

  function fillParcels(land) {
    var select = $("[data-form=inspect]").elements.parcel;
    select.innerHTML = "";
    option(select, "", "请选择地块");
    land.parcels.forEach(function (p) {
      var opt = option(select, p.id, p.code + " " + p.village + "（" + p.area + "亩，" + p.status + "）");
      opt.dataset.url = p.inspect_url;
    });
    $("[data-form=inspect]").elements.inspected_on.value = land.today;
  }

  function setUp() {
    var tabs = [];
    if (state.env && state.env.can_create) { fillProblemForm(state.env); tabs.push("problem"); }
    if (state.env && (state.env.rectify.length || !state.env.can_create)) { refreshRectifyList(); tabs.push("rectify"); }
    if (state.land && state.land.parcels.length) { fillParcels(state.land); tabs.push("inspect"); }
    tabs.forEach(function (name) { $("[data-tab=" + name + "]").hidden = false; });
    showTab(tabs[0] || "queue");
  }

  /* --- filters on long selects --------------------------------------------------------------- */
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.dataset && target.dataset.filterFor) {
      var words = target.value.trim();
      $$("#" + target.dataset.filterFor + " option").forEach(function (opt) {
        opt.hidden = Boolean(words) && opt.value !== "" && opt.textContent.indexOf(words) < 0 && !opt.selected;
      });
    }
  });

  /* --- photos --------------------------------------------------------------------------------- */
  function clearPhotos(inputId) {
    state.photos[inputId] = [];
    $("[data-thumbs=" + inputId + "]").innerHTML = "";
    $("[data-photo-count=" + inputId + "]").textContent = "";
    var input = document.getElementById(inputId);
    if (input) { input.value = ""; }
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type === "file" && input.id) {
      var max = (state.env && state.env.max_photos) || 6;
      var files = Array.prototype.slice.call(input.files || []);
      var kept = state.photos[input.id] || [];
      var room = max - kept.length;
      var error = $("[data-form-error]", input.form);
      error.textContent = files.length > room ? "每条记录最多 " + max + " 张照片，多出的未保留。" : "";
      Promise.all(files.slice(0, Math.max(0, room)).map(function (file, i) {
        return FieldPhotos.prepare(file, kept.length + i);
      })).then(function (photos) {
        state.photos[input.id] = kept.concat(photos);
        var box = $("[data-thumbs=" + input.id + "]");
        photos.forEach(function (photo) {
          var img = document.createElement("img");
          img.src = photo.thumb;
          img.alt = "照片";
          box.appendChild(img);
        });
        input.value = "";
        input.dataset.count = String(state.photos[input.id].length);
        $("[data-photo-count=" + input.id + "]").textContent = "已选 " + state.photos[input.id].length + " 张";
      }).catch(function () { error.textContent = "有照片无法读取，请重新拍摄。"; });
      return;
    }
    if (input.name === "township" && input.form && input.form.dataset.form === "problem") { fillVillages(); }
    if (input.name === "category" || input.name === "found_on") { suggestDeadline(); }
    if (input.name === "deadline") { state.deadlineTouched = true; }
  });

  /* --- location --------------------------------------------------------------------------------- */
  function locate() {
    var label = $("[data-location]");
    if (!navigator.geolocation) { label.textContent = "本设备不支持定位"; return; }
    label.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      state.position = {
        longitude: pos.coords.longitude.toFixed(6),
        latitude: pos.coords.latitude.toFixed(6),
        location_accuracy: Math.round(pos.coords.accuracy)
      };
      label.textContent = "经度 " + state.position.longitude + "，纬度 " + state.position.latitude + "（精度约 " + state.position.location_accuracy + " 米）";
      label.dataset.located = "1";
    }, function () {
      state.position = null;
      label.textContent = "未能定位（可不填，或到空旷处重新定位）";
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-locate]")) { locate(); }
    if (event.target.closest("[data-rectify-cancel]")) { closeRectify(); }
    if (event.target.closest("[data-sync-now]")) { sync(true); }
    var discard = event.target.closest("[data-discard]");
    if (discard && window.confirm("确定放弃这条记录吗？放弃后不会再上传。")) {
      state.queue.discard(discard.dataset.discard).then(renderQueue);
    }
  });

  /* --- saving ---------------------------------------------------------------------------------- */
  function required(form, names) {
    var missing = names.filter(function (name) { return !String(form.elements[name].value || "").trim(); });
    missing.forEach(function (name) { form.elements[name].classList.add("is-invalid"); });
    return missing.length === 0;
  }

  function photoRecords(inputId, field) {
    return (state.photos[inputId] || []).map(function (p) { return { blob: p.blob, name: p.name, field: field }; });
  }

  function saved(form, text) {
    notice(text + "已保存在本机，" + (navigator.onLine ? "正在上传。" : "有网络时自动上传。"), "success");
    window.scrollTo(0, 0);
    sync(false);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    event.preventDefault();
    $$(".is-invalid", form).forEach(function (el) { el.classList.remove("is-invalid"); });
    var error = $("[data-form-error]", form);
    error.textContent = "";
    var kind = form.dataset.form;
    if (kind === "problem") {
      if (!required(form, ["category", "township", "description", "found_on", "deadline"])) { error.textContent = "请填写标红的项目。"; return; }
      var fields = {
        category: form.elements.category.value, township: form.elements.township.value,
        village: form.elements.village.value, description: form.elements.description.value.trim(),
        departments: $$("option:checked", form.elements.departments).map(function (o) { return o.value; }),
        found_on: form.elements.found_on.value, deadline: form.elements.deadline.value
      };
      if (state.position) { Object.assign(fields, state.position); }
      var label = form.elements.township.selectedOptions[0].textContent + " " + form.elements.category.selectedOptions[0].textContent +
        "：" + (fields.description.length > 16 ? fields.description.slice(0, 16) + "…" : fields.description);
      state.queue.add("problem", state.env.create_url, fields, photoRecords("p-photos", "found_photos"), label).then(function () {
        form.elements.description.value = "";
        clearPhotos("p-photos");
        saved(form, "问题");
      });
    } else if (kind === "rectify") {
      if (!required(form, ["note"])) { error.textContent = "请简要说明整改情况。"; return; }
      if (!(state.photos["r-photos"] || []).length) { error.textContent = "请拍摄至少一张整改后照片。"; return; }
      var url = form.dataset.url, what = form.dataset.label;
      state.queue.add("rectify", url, { note: form.elements.note.value.trim() }, photoRecords("r-photos", "photos"), what).then(function () {
        closeRectify();
        refreshRectifyList();
        saved($("[data-panel=rectify]"), "整改");
      });
    } else if (kind === "inspect") {
      if (!required(form, ["parcel", "inspected_on", "finding"])) { error.textContent = "请填写标红的项目。"; return; }
      var parcel = form.elements.parcel.selectedOptions[0];
      state.queue.add("inspect", parcel.dataset.url, { inspected_on: form.elements.inspected_on.value, finding: form.elements.finding.value.trim() }, [], parcel.textContent).then(function () {
        form.elements.finding.value = "";
        saved(form, "巡查记录");
      });
    }
  });

  /* --- the queue ----------------------------------------------------------------------------- */
  function renderCount() {
    return state.queue.counts().then(function (c) {
      var badge = $("[data-pending-count]");
      badge.textContent = String(c.waiting);
      badge.dataset.conflicts = String(c.conflict + c.invalid);
      badge.className = "badge " + (c.conflict + c.invalid ? "text-bg-danger" : c.waiting ? "text-bg-warning" : "text-bg-secondary");
    });
  }

  function renderQueue() {
    return state.queue.list().then(function (rows) {
      var list = $("[data-queue-list]");
      list.innerHTML = "";
      $("[data-queue-empty]").hidden = rows.length > 0;
      rows.slice().reverse().forEach(function (r) {
        var item = document.createElement("li");
        item.className = "list-group-item field-queue-item";
        item.dataset.state = r.state;
        item.dataset.kind = r.kind;
        item.dataset.clientId = r.id;
        var head = document.createElement("div");
        head.className = "d-flex justify-content-between gap-2";
        var title = document.createElement("span");
        title.className = "fw-semibold";
        title.textContent = KIND_LABELS[r.kind] + "：" + r.label;
        var badge = document.createElement("span");
        badge.className = "badge align-self-start " + ({ done: "text-bg-success", conflict: "text-bg-danger", invalid: "text-bg-danger" }[r.state] || "text-bg-warning");
        badge.textContent = STATE_LABELS[r.state];
        head.appendChild(title);
        head.appendChild(badge);
        item.appendChild(head);
        var meta = document.createElement("div");
        meta.className = "small text-secondary";
        var when = new Date(r.createdAt);
        meta.textContent = "记录于 " + cnDateTime(when) +
          (r.photos && r.photos.length ? " · " + r.photos.length + " 张照片" : "") + (r.result && r.result.number ? " · 第" + r.result.number + "号" : "");
        item.appendChild(meta);
        if (r.message && r.state !== "done") {
          var msg = document.createElement("div");
          msg.className = "small mt-1 " + (r.state === "conflict" || r.state === "invalid" ? "text-danger" : "text-secondary");
          msg.dataset.testid = "queue-message";
          msg.textContent = r.message;
          item.appendChild(msg);
        }
        if (r.state === "conflict" || r.state === "invalid") {
          var drop = document.createElement("button");
          drop.type = "button";
          drop.className = "btn btn-sm btn-outline-secondary mt-2";
          drop.dataset.discard = r.id;
          drop.textContent = "已知晓，移出列表";
          item.appendChild(drop);
        }
        list.appendChild(item);
      });
      return renderCount();
    });
  }

  function sync(byHand) {
    if (!state.queue) { return Promise.resolve(); }
    if (!navigator.onLine) {
      if (state.registration && state.registration.sync) { state.registration.sync.register("field-upload").catch(function () {}); }
      if (byHand) { notice("当前没有网络，记录已保存在本机，恢复网络后自动上传。", "warning"); }
      return renderQueue();
    }
    return state.queue.flush().then(function (summary) {
      if (summary.login) {
        notice("登录已过期：请重新登录后回到本页，记录会继续上传。", "warning");
      } else if (summary.sent) {
        notice("已上传 " + summary.sent + " 条记录。", "success");
      }
      return renderQueue().then(function () { return summary.sent ? reloadRectify() : refreshRectifyList(); });
    });
  }

  function netState() {
    var badge = $("[data-net]");
    badge.textContent = navigator.onLine ? "在线" : "离线";
    badge.className = "badge rounded-pill flex-shrink-0 " + (navigator.onLine ? "text-bg-light" : "text-bg-secondary");
  }

  window.addEventListener("online", function () { netState(); sync(false); });
  window.addEventListener("offline", netState);

  /* --- start ------------------------------------------------------------------------------------ */
  function start() {
    netState();
    if ("serviceWorker" in navigator) {
      var scope = config.sw.replace(/[^/]*$/, "");
      navigator.serviceWorker.register(config.sw, { scope: scope }).then(function (reg) { state.registration = reg; }).catch(function () {});
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.type === "field-queue-changed") { renderQueue(); }
      });
    }
    if (navigator.storage && navigator.storage.persist) { navigator.storage.persist().catch(function () {}); } // keep the records from eviction
    FieldStore.open().then(function (store) {
      state.queue = FieldQueue.createQueue({
        store: store,
        send: FieldQueue.httpSender({ fetch: window.fetch.bind(window), sessionUrl: config.session, FormData: window.FormData }),
        owner: config.user,
        onChange: renderCount
      });
      return renderQueue();
    }).then(loadReferences).then(function () {
      setUp();
      locate();
      document.body.dataset.ready = "1";
      return sync(false);
    }).catch(function (error) {
      notice("本机存储不可用：" + error.message, "danger");
    });
  }

  start();
})();
