/* Chart of the 撂荒地整治 overview (Apache ECharts, vendored): 亩 by status per township.
   Every bar links to the parcel list of that township and status. Empty: says why and what to do
   (static/js/charts.js); the legend wraps (no paging), below the chart on a phone. */
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var C = window.CountyCharts;
  var block = data.townships;
  var box = document.getElementById("chart-townships");
  if (!C.hasData(data.statuses.map(function (s) { return block.series[s.key]; }))) {
    C.empty(box, "您可见的范围内还没有撂荒地块。导入撂荒地台账后，这里按乡镇显示各状态的面积。");
    return;
  }
  var narrow = C.narrow(box);
  var legendRows = narrow ? Math.ceil(data.statuses.length / 3) : 1;
  box.style.height = Math.max(180, 60 + 24 * legendRows + 22 * block.labels.length) + "px";  // one township or twenty
  var chart = echarts.init(box);
  chart.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true,
               valueFormatter: function (v) { return v.toFixed(1) + " 亩"; } },
    legend: narrow ? { bottom: 0, itemWidth: 12, itemHeight: 8, itemGap: 8 } : { top: 0 },
    grid: { left: 8, right: 16, bottom: narrow ? 24 * legendRows + 4 : 8, top: narrow ? 8 : 36, containLabel: true },
    xAxis: { type: "value", name: narrow ? "" : "亩" },
    yAxis: C.categoryAxis(block.labels, box, true),
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
