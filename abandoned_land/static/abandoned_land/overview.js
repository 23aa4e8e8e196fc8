/* Chart of the 撂荒地整治 overview (Apache ECharts, vendored): 亩 by status per township.
   Every bar links to the parcel list of that township and status. */
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var block = data.townships;
  var box = document.getElementById("chart-townships");
  box.style.height = Math.max(180, 80 + 20 * block.labels.length) + "px";  // one township or twenty
  var chart = echarts.init(box);
  chart.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v.toFixed(1) + " 亩"; } },
    legend: { top: 0, type: "scroll" },
    grid: { left: 8, right: 16, bottom: 8, top: 36, containLabel: true },
    xAxis: { type: "value", name: "亩" },
    yAxis: { type: "category", inverse: true, data: block.labels },
    series: data.statuses.map(function (s) {
      return { name: s.label, type: "bar", stack: "all", itemStyle: { color: s.color },
               emphasis: { focus: "series" }, data: block.series[s.key] };
    })
  });
  chart.on("click", function (e) {
    var status = data.statuses[e.seriesIndex].key;
    window.location.href = data.list_url + "?township=" + block.ids[e.dataIndex] + "&status=" + status;
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
