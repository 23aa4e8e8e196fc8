/* Charts of the reform overview (Apache ECharts, vendored). Every bar links to its list. */
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  function go(url, params) {
    var query = Object.keys(params).filter(function (k) { return params[k] !== "" && params[k] !== null; })
      .map(function (k) { return k + "=" + encodeURIComponent(params[k]); }).join("&");
    window.location.href = url + (query ? "?" + query : "");
  }
  function stacked(id, block, param, horizontal) {
    var chart = echarts.init(document.getElementById(id));
    var category = { type: "category", data: block.labels, axisLabel: { interval: 0, width: 90, overflow: "break" } };
    var value = { type: "value", minInterval: 1 };
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, bottom: 8, top: 36, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: data.lights.map(function (light) {
        return { name: light.label, type: "bar", stack: "all", itemStyle: { color: light.color },
                 emphasis: { focus: "series" }, data: block.series[light.key], _key: light.key };
      })
    });
    chart.on("click", function (e) {
      var params = { light: data.lights[e.seriesIndex].key };
      params[param] = block.ids[e.dataIndex] || "";
      go(data.urls.list, params);
    });
    return chart;
  }
  var charts = [
    stacked("chart-groups", data.groups, "group", false),
    stacked("chart-tracks", data.tracks, "track", false)
  ];
  var units = echarts.init(document.getElementById("chart-units"));
  units.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 8, right: 24, bottom: 8, top: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: data.units.labels },
    series: [{ type: "bar", name: "逾期细分任务", itemStyle: { color: "#dc3545" }, data: data.units.values,
               label: { show: true, position: "right" } }]
  });
  units.on("click", function (e) { go(data.urls.tasks, { light: "overdue", unit: data.units.ids[e.dataIndex] }); });
  var levels = echarts.init(document.getElementById("chart-levels"));
  levels.setOption({
    tooltip: { trigger: "item", formatter: "{b}：{c} 篇（{d}%）" },
    legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["40%", "70%"], data: data.levels, label: { formatter: "{b}\n{c} 篇" } }]
  });
  levels.on("click", function (e) { go(data.urls.experiences, { level: data.levels[e.dataIndex].key }); });
  charts.push(units, levels);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
