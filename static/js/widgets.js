/* The county's form widgets (county/widgets.py), started from data- attributes (no inline scripts):
 *   data-widget="search-select"   a single select with a search box (Tom Select)
 *   data-widget="search-multi"    a multi-select with search and removable tags (Tom Select)
 *   data-township-field="township" data-villages-url="/villages/"
 *                                 a village select that lists only the chosen township's villages
 * Needs static/vendor/tom-select-2.6.2/tom-select.complete.min.js before it; without it the
 * plain selects still work.
 */
(function () {
  var TEXT = { noResults: "没有匹配的选项", loading: "正在加载…" };

  function start(select) {
    if (typeof window.TomSelect !== "function" || select.tomselect) { return; }
    var multi = select.getAttribute("data-widget") === "search-multi";
    var settings = {
      allowEmptyOption: !multi,
      closeAfterSelect: !multi, // a chosen township closes its list (it covered the village)
      maxOptions: null,
      create: false,
      hidePlaceholder: false,
      render: {
        no_results: function () { return '<div class="no-results">' + TEXT.noResults + "</div>"; },
        loading: function () { return '<div class="spinner-border spinner-border-sm"></div>'; }
      }
    };
    if (multi) {
      settings.plugins = ["remove_button"];
      settings.onItemAdd = function () { this.setTextboxValue(""); this.refreshOptions(false); };
      settings.placeholder = select.getAttribute("data-placeholder") || "输入名称搜索";
    }
    new window.TomSelect(select, settings);
  }

  function startAll(root) {
    root.querySelectorAll("select[data-widget]").forEach(start);
  }

  function fill(select, villages, emptyText) {
    var ts = select.tomselect;
    if (ts) { ts.destroy(); }
    var keep = select.value;
    select.innerHTML = "";
    var empty = document.createElement("option");
    empty.value = "";
    empty.textContent = emptyText;
    select.appendChild(empty);
    villages.forEach(function (v) {
      var option = document.createElement("option");
      option.value = String(v.id);
      option.textContent = v.name;
      if (String(v.id) === keep) { option.selected = true; }
      select.appendChild(option);
    });
    select.dispatchEvent(new Event("change", { bubbles: true }));
    if (select.hasAttribute("data-widget")) { start(select); }
  }

  function link(village) {
    var form = village.form || document;
    var name = village.getAttribute("data-township-field");
    var township = form.querySelector('[name="' + name + '"]');
    if (!township) { return; }
    var filtering = village.hasAttribute("data-filtering");
    township.addEventListener("change", function () {
      var id = township.value;
      if (!id) {
        fill(village, [], village.getAttribute("data-empty-text") || "请先选择乡镇");
        return;
      }
      var url = village.getAttribute("data-villages-url") + "?township=" + encodeURIComponent(id);
      village.setAttribute("aria-busy", "true");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { villages: [] }; })
        .then(function (data) {
          fill(village, data.villages || [], filtering ? "全部" : data.empty || "请选择村（社区）");
        })
        .finally(function () { village.removeAttribute("aria-busy"); });
    });
  }

  function init() {
    startAll(document);
    document.querySelectorAll("select[data-township-field]").forEach(link);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  document.addEventListener("htmx:afterSwap", function (event) { startAll(event.target); });
})();
