/* The planning overview's chart (Apache ECharts, vendored): stages per level/batch; every block links to its list. */
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var chart = echarts.init(document.getElementById("chart-stages"));
  chart.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 8, right: 16, bottom: 8, top: 56, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: data.labels },
    series: data.stages.map(function (s) {
      return { name: s.label, type: "bar", stack: "all", itemStyle: { color: s.color }, data: s.data,
               label: { show: true, formatter: function (p) { return p.value ? p.value : ""; } } };
    })
  });
  chart.on("click", function (e) {
    var group = data.groups[e.dataIndex];
    window.location.href = data.list_url + "?level=" + group.level + "&batch=" + group.batch +
      "&stage=" + data.stages[e.seriesIndex].key;
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
