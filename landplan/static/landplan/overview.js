/* The planning overview's chart (Apache ECharts, vendored): stages per level/batch; every block links
   to its list. Empty: says why and what to do (static/js/charts.js); on a phone the legend goes below. */
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var C = window.CountyCharts;
  var element = document.getElementById("chart-stages");
  if (!C.hasData(data.stages.map(function (s) { return s.data; }))) {
    C.empty(element, "您可见的范围内还没有规划片区。导入国土空间规划台账后，这里按层级、批次显示各片区的编制阶段。");
    return;
  }
  var narrow = C.narrow(element);
  if (narrow) { element.style.height = Math.max(260, 120 + 40 * data.labels.length) + "px"; }
  var chart = echarts.init(element);
  chart.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
    legend: narrow ? { bottom: 0, itemWidth: 12, itemHeight: 8 } : { top: 0 },
    grid: { left: 8, right: 16, bottom: narrow ? 64 : 8, top: narrow ? 8 : 56, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: C.categoryAxis(data.labels, element, true),
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
