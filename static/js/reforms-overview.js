/* Charts of the reform overview (Apache ECharts, vendored). Every bar links to its list.
   An empty chart says why and what to do (static/js/charts.js); on a phone the group names sit
   beside horizontal bars, legends go below and the pie's labels move into its legend. */
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var C = window.CountyCharts;
  var charts = [];
  function go(url, params) {
    var query = Object.keys(params).filter(function (k) { return params[k] !== "" && params[k] !== null; })
      .map(function (k) { return k + "=" + encodeURIComponent(params[k]); }).join("&");
    window.location.href = url + (query ? "?" + query : "");
  }
  function stacked(id, block, param, emptyText) {
    var element = document.getElementById(id);
    var values = data.lights.map(function (light) { return block.series[light.key]; });
    if (!C.hasData(values)) { C.empty(element, emptyText); return; }
    var narrow = C.narrow(element);
    var longest = Math.max.apply(null, block.labels.map(function (l) { return l.length; }).concat([1]));
    var horizontal = narrow && (block.labels.length > 3 || longest > 4);
    if (horizontal) { element.style.height = Math.max(220, 90 + 34 * block.labels.length) + "px"; }
    var chart = echarts.init(element);
    var value = { type: "value", minInterval: 1 };
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      legend: narrow ? { bottom: 0, itemWidth: 12, itemHeight: 8 } : { top: 0 },
      grid: { left: 8, right: 16, bottom: narrow ? 32 : 8, top: narrow ? 8 : 36, containLabel: true },
      xAxis: horizontal ? value : C.categoryAxis(block.labels, element, false),
      yAxis: horizontal ? C.categoryAxis(block.labels, element, true) : value,
      series: data.lights.map(function (light) {
        return { name: light.label, type: "bar", stack: "all", itemStyle: { color: light.color },
                 emphasis: { focus: "series" }, data: block.series[light.key], barMaxWidth: 40 };
      })
    });
    chart.on("click", function (e) {
      var params = { light: data.lights[e.seriesIndex].key };
      params[param] = block.ids[e.dataIndex] || "";
      go(data.urls.list, params);
    });
    charts.push(chart);
  }
  stacked("chart-groups", data.groups, "group",
          "您可见的范围内还没有改革任务。导入改革台账或新建改革任务后，这里按专项小组显示各任务的状态。");
  stacked("chart-tracks", data.tracks, "track",
          "您可见的范围内还没有改革任务。导入改革台账或新建改革任务后，这里按类别显示各任务的状态。");

  var unitsBox = document.getElementById("chart-units");
  if (!C.hasData(data.units.values)) {
    C.empty(unitsBox, "目前没有逾期的细分任务，各单位都在时限内。出现逾期时，这里列出逾期最多的单位。");
  } else {
    unitsBox.style.height = Math.max(160, 40 + 26 * data.units.labels.length) + "px";
    var units = echarts.init(unitsBox);
    units.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      grid: { left: 8, right: 28, bottom: 8, top: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: C.categoryAxis(data.units.labels, unitsBox, true),
      series: [{ type: "bar", name: "逾期细分任务", itemStyle: { color: data.units.color }, data: data.units.values,
                 barMaxWidth: 20, label: { show: true, position: "right" } }]
    });
    units.on("click", function (e) { go(data.urls.tasks, { light: "overdue", unit: data.units.ids[e.dataIndex] }); });
    charts.push(units);
  }

  var levelsBox = document.getElementById("chart-levels");
  if (!C.hasData(data.levels)) {
    C.empty(levelsBox, "还没有刊载的典型经验。在「典型经验」中登记刊载情况后，这里按层级统计。");
  } else {
    var narrow = C.narrow(levelsBox);
    var levels = echarts.init(levelsBox);
    levels.setOption({
      tooltip: { trigger: "item", confine: true, formatter: function (p) {  // HTML: text through escape
        return C.escape(p.name + "：" + p.value + " 篇（" + p.percent + "%）");
      } },
      legend: { bottom: 0, formatter: function (name) {
        var row = data.levels.filter(function (l) { return l.name === name; })[0];
        return name + " " + (row ? row.value : 0) + " 篇";
      } },
      series: [{ type: "pie", radius: narrow ? ["30%", "58%"] : ["40%", "70%"], center: ["50%", "45%"],
                 data: data.levels.filter(function (l) { return l.value > 0; }),
                 label: narrow ? { show: true, position: "inside", formatter: "{c}" } : { formatter: "{b}\n{c} 篇" } }]
    });
    levels.on("click", function (e) { go(data.urls.experiences, { level: e.data.key }); });
    charts.push(levels);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
