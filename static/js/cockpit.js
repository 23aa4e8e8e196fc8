/* 领导驾驶舱: draws every chart of the page (Apache ECharts, vendored) from the JSON that
   county/cockpit.py puts in #cockpit-data. Every bar and slice carries the URL of the list
   with exactly its rows; a click goes there. */
(function () {
  var source = document.getElementById("cockpit-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];

  // The tooltip is HTML: every name and number goes through escape (a unit's name is a clerk's text).
  function tooltipFor(spec) {
    var escape = window.CountyCharts.escape;
    return function (params) {
      var list = Array.isArray(params) ? params : [params];
      var lines = [escape(list[0].name)];
      list.forEach(function (p) {
        var series = spec.series[p.seriesIndex];
        var value = p.value + (spec.unit ? " " + spec.unit : "");
        if (series.counts) { value += "（" + series.counts[p.dataIndex] + " 块）"; }
        if (spec.kind === "pie") { value += "（" + p.percent + "%）"; }
        lines.push(p.marker + escape((spec.kind === "pie" ? "" : p.seriesName + "：") + value));
      });
      return lines.join("<br>");
    };
  }

  function option(spec, width) {
    if (spec.kind === "pie") {
      var s = spec.series[0];
      return {
        tooltip: { trigger: "item", formatter: tooltipFor(spec) },
        legend: width < 360 ? { bottom: 0, textStyle: { fontSize: 11 } }
                            : { orient: "vertical", right: 0, top: "middle", textStyle: { fontSize: 11 } },
        series: [{
          type: "pie", radius: ["35%", "70%"], center: width < 360 ? ["50%", "42%"] : ["40%", "50%"],
          label: { formatter: "{c}", fontSize: 11 },
          data: spec.categories.map(function (name, i) { return { name: name, value: s.data[i] }; })
        }]
      };
    }
    var horizontal = spec.kind === "hbar";
    var slot = width / Math.max(spec.categories.length, 1) - 8;
    var crowded = slot < 30;
    var longest = Math.max.apply(null, spec.categories.map(function (c) { return c.length; }).concat([1]));
    var twoLines = longest * 10 <= slot * 2;
    var category = {
      type: "category", data: spec.categories,
      axisLabel: horizontal ? { fontSize: 10, width: 90, overflow: "truncate" }
                            : { fontSize: 10, interval: crowded ? "auto" : 0, width: crowded ? 48 : slot,
                                overflow: twoLines && !crowded ? "break" : "truncate", lineHeight: 11 }
    };
    var value = { type: "value", minInterval: 1, axisLabel: { fontSize: 10 } };
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: tooltipFor(spec), confine: true },
      legend: spec.series.length > 1 ? { top: 0, itemWidth: 10, itemHeight: 8, textStyle: { fontSize: 10 } } : undefined,
      grid: { left: 4, right: 12, bottom: 2, top: spec.series.length > 1 ? 24 : 6, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: spec.series.map(function (s) {
        return {
          name: s.name, type: "bar", data: s.data, itemStyle: { color: s.color },
          stack: spec.kind === "stack" ? "all" : undefined, barMaxWidth: 28,
          label: horizontal ? { show: true, position: "right", fontSize: 10 } : undefined,
          emphasis: { focus: "series" }
        };
      })
    };
  }

  Object.keys(data).forEach(function (id) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var spec = data[id];
    if (window.CountyCharts && !CountyCharts.hasData(spec.series.map(function (x) { return x.data; }))) {
      CountyCharts.empty(element, spec.empty || "所选期间、您可见的范围内没有可统计的记录；换一个期间（本周/本月/本年）或打开清单查看。");
      return;
    }
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option(spec, element.clientWidth));
    chart.on("click", function (e) {
      var series = spec.series[spec.kind === "pie" ? 0 : e.seriesIndex];
      var url = series && series.links[e.dataIndex];
      if (url) { window.location.href = url; }
    });
    element.dataset.drawn = "1";
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
