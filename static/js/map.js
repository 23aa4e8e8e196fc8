/* County maps without internet tiles (county/maps.py, docs/maps.md).

   Every element with [data-county-map] becomes an ECharts geo map: the township outlines
   come from data-geo-url (/geo/townships.geojson, registered once as "county"), the points
   from data-url (a workstream's map data endpoint with the list's query string). Points
   are coloured by group (state), marked points (顽固问题, 复撂荒 …) drawn larger with a
   border, townships shaded by the payload's figure; a click on a point opens its record.
   Buttons with [data-map-layer] beside a map switch its data URL (the cockpit). */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var geoRequests = {};
  var escape = window.CountyCharts.escape;

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  function loadGeo(url) {
    if (!geoRequests[url]) {
      geoRequests[url] = getJSON(url).then(function (geo) {
        if (geo.features && geo.features.length) { window.echarts.registerMap("county", geo); }
        return geo;
      });
    }
    return geoRequests[url];
  }

  function middleLatitude(geo) {
    var low = 90, high = -90;
    geo.features.forEach(function (feature) {
      var g = feature.geometry;
      var polygons = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
      polygons.forEach(function (polygon) {
        polygon[0].forEach(function (point) {
          low = Math.min(low, point[1]);
          high = Math.max(high, point[1]);
        });
      });
    });
    return (low + high) / 2;
  }

  function number(value) {
    return Math.round(value * 10) / 10;
  }

  function option(geo, data, width) {
    var narrow = width < 500;
    var marks = {};
    data.marks.forEach(function (m) { marks[m.name] = m; });
    var colours = {};
    data.groups.forEach(function (g) { colours[g.name] = g.color; });
    var many = data.points.length;
    var size = many > 1500 ? 5 : many > 300 ? 7 : 9;
    var series = [];
    var visualMap;
    if (data.shading) {
      var values = data.shading.values;
      var max = 0;
      Object.keys(values).forEach(function (k) { max = Math.max(max, values[k]); });
      series.push({
        name: data.shading.label, type: "map", geoIndex: 0, silent: false,
        data: geo.features.map(function (f) {
          return { name: f.properties.name, value: values[f.properties.name] || 0 };
        })
      });
      visualMap = {
        type: "continuous", min: 0, max: Math.max(max, 1), seriesIndex: 0, calculable: false,
        orient: narrow ? "horizontal" : "vertical", left: narrow ? "center" : 4, bottom: 2,
        itemWidth: 10, itemHeight: 80,
        text: [data.shading.label + " " + number(max) + data.shading.unit, "0"],
        textStyle: { fontSize: 10, color: "#495057" },
        inRange: { color: data.shading.good ? ["#f1f4f7", "#b5dcc4", "#3d9a66"]
                                            : ["#f1f4f7", "#f7cfa6", "#e26d6d"] }
      };
    }
    function item(p, mark) {
      var it = { name: p.name, value: p.value, url: p.url, detail: p.detail, group: p.group };
      if (mark) {
        it.symbol = mark.symbol;
        it.symbolSize = size + (many > 300 ? 4 : 7);
        it.itemStyle = { color: colours[p.group], borderColor: mark.color, borderWidth: 2 };
      }
      return it;
    }
    data.groups.forEach(function (g) {
      series.push({
        name: g.name, type: "scatter", coordinateSystem: "geo", symbolSize: size, z: 3,
        itemStyle: { color: g.color, borderColor: "#fff", borderWidth: 0.6, opacity: 0.92 },
        emphasis: { scale: 1.8 },
        data: data.points.filter(function (p) { return p.group === g.name && !p.marks.length; })
          .map(function (p) { return item(p); })
      });
    });
    data.marks.forEach(function (m) {
      series.push({
        name: m.name, type: "scatter", coordinateSystem: "geo", z: 4,
        emphasis: { scale: 1.5 },
        itemStyle: { color: "#ffffff", borderColor: m.color, borderWidth: 2 }, symbol: m.symbol,
        data: data.points.filter(function (p) { return p.marks.length && p.marks[0] === m.name; })
          .map(function (p) { return item(p, m); })
      });
    });
    var legend = data.groups.map(function (g) { return g.name; })
      .concat(data.marks.map(function (m) { return m.name; }));
    return {
      animation: false,
      tooltip: {
        trigger: "item", confine: true,
        formatter: function (p) {  // HTML: every text through escape (a clerk's words)
          if (p.seriesType === "map") {
            if (!data.shading) { return escape(p.name); }
            return escape(p.name) + "<br>" + escape(data.shading.label + "：" + number(p.value || 0) + " " +
                                                    data.shading.unit);
          }
          var lines = [p.data.name].concat((p.data.detail || []).filter(Boolean));
          if (p.seriesName !== p.data.group) { lines.push("标记：" + p.seriesName); }
          lines.push("点击打开");
          return p.marker + lines.map(escape).join("<br>");
        }
      },
      legend: { type: "scroll", top: 0, left: "center", itemWidth: 10, itemHeight: 10,
                textStyle: { fontSize: 11 }, data: legend },
      visualMap: visualMap,
      geo: {
        map: "county", roam: true, scaleLimit: { min: 0.8, max: 20 }, selectedMode: false,
        preserveAspect: "contain",
        aspectScale: Math.cos(middleLatitude(geo) * Math.PI / 180),
        top: 28, bottom: narrow && data.shading ? 34 : 8, left: 8, right: 8,
        label: { show: !narrow, fontSize: 10, color: "#495057" },
        itemStyle: { areaColor: "#eef2f6", borderColor: "#7b8a9a", borderWidth: 1 },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#dde6f0" } }
      },
      series: series
    };
  }

  function describe(data) {
    var text = "共 " + data.total + " 条，图上 " + data.points.length + " 条";
    if (data.total > data.placed) { text += "（" + (data.total - data.placed) + " 条尚未登记经纬度）"; }
    return text + "。点击圆点打开记录；滚轮或双指缩放，拖动平移。";
  }

  function draw(element) {
    var wrap = element.parentNode;
    var status = wrap.querySelector("[data-map-status]");
    var chart = null;
    function say(text) { if (status) { status.textContent = text; } }
    function load(url) {
      element.setAttribute("data-ready", "0");
      Promise.all([loadGeo(element.getAttribute("data-geo-url")), getJSON(url)]).then(function (r) {
        var geo = r[0], data = r[1];
        if (!geo.features || !geo.features.length) {
          say("尚未登记乡镇边界：管理员可用“乡镇边界”导入 GeoJSON 文件后再看地图。");
          element.setAttribute("data-ready", "empty");
          return;
        }
        if (!chart) {
          chart = window.echarts.init(element, null, { renderer: "canvas" });
          chart.on("click", function (p) {
            if (p.data && p.data.url) { window.location.href = p.data.url; }
          });
          window.addEventListener("resize", function () { chart.resize(); });
        }
        chart.setOption(option(geo, data, element.clientWidth), true);
        element.setAttribute("data-points", String(data.points.length));
        element.setAttribute("data-ready", "1");
        say(describe(data));
      }).catch(function () {
        element.setAttribute("data-ready", "error");
        say("地图数据加载失败，请刷新页面重试。");
      });
    }
    wrap.querySelectorAll("[data-map-layer]").forEach(function (button) {
      button.addEventListener("click", function () {
        wrap.querySelectorAll("[data-map-layer]").forEach(function (b) {
          var on = b === button;
          b.classList.toggle("btn-primary", on);
          b.classList.toggle("btn-outline-primary", !on);
          b.setAttribute("aria-pressed", on ? "true" : "false");
        });
        load(button.getAttribute("data-map-layer"));
      });
    });
    load(element.getAttribute("data-url"));
  }

  document.querySelectorAll("[data-county-map]").forEach(draw);
})();
