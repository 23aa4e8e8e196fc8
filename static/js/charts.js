/* What every chart of the project shares (loaded by templates/base.html, before the page's chart code):
 *   CountyCharts.hasData(values…)       true when some number in the arrays is above zero
 *   CountyCharts.empty(element, text)   shows why a chart is empty and what to do, instead of a
 *                                       meaningless shape (a pie of zeros, a bare axis); the element
 *                                       gets data-chart-empty, its text is the element's data-empty
 *                                       attribute when the template gives one
 *   CountyCharts.narrow(element)        the chart is phone-wide (labels rotate, legends go below)
 *   CountyCharts.categoryAxis(labels, element, horizontal)
 *                                       a category axis whose labels never overlap: horizontal bars
 *                                       keep names on the left; vertical bars rotate and shorten them
 *                                       when the slot is narrow
 *   CountyCharts.escape(value)          value as HTML text (& < > " ' as entities). ECharts puts
 *                                       what a tooltip formatter function returns into the page
 *                                       as HTML, so every name or number a formatter writes goes
 *                                       through this; canvas text (labels, legends, axes) is not
 *                                       HTML and must not be escaped
 */
window.CountyCharts = (function () {
  function numbers(value, out) {
    if (Array.isArray(value)) { value.forEach(function (v) { numbers(v, out); }); }
    else if (value && typeof value === "object") { numbers(value.value, out); }
    else if (typeof value === "number") { out.push(value); }
    else if (typeof value === "string" && value !== "" && !isNaN(Number(value))) { out.push(Number(value)); }
    return out;
  }

  function hasData() {
    return numbers(Array.prototype.slice.call(arguments), []).some(function (n) { return n > 0; });
  }

  function empty(element, text) {
    var message = element.getAttribute("data-empty") || text || "暂无数据。";
    element.innerHTML = "";
    element.style.height = "auto";
    element.removeAttribute("role");
    element.setAttribute("data-chart-empty", "");
    var box = document.createElement("div");
    box.className = "chart-empty text-secondary text-center small py-4 px-2";
    var icon = document.createElement("i");
    icon.className = "bi bi-bar-chart d-block fs-3 mb-1 opacity-50";
    icon.setAttribute("aria-hidden", "true");
    var words = document.createElement("div");
    words.textContent = message;
    box.appendChild(icon);
    box.appendChild(words);
    element.appendChild(box);
    element.dataset.drawn = "1";
  }

  function narrow(element) {
    return (element ? element.clientWidth : window.innerWidth) < 520;
  }

  function categoryAxis(labels, element, horizontal) {
    var width = element.clientWidth || window.innerWidth;
    if (horizontal) {
      var side = Math.min(Math.max(width * 0.3, 64), 140);
      return { type: "category", inverse: true, data: labels,
               axisLabel: { width: side, overflow: "truncate", fontSize: 11 } };
    }
    var slot = (width - 60) / Math.max(labels.length, 1);
    var longest = Math.max.apply(null, labels.map(function (l) { return String(l).length; }).concat([1]));
    var fits = longest * 12 <= slot * 2;  // at most two lines of 12-px characters
    return {
      type: "category", data: labels,
      axisLabel: fits ? { interval: 0, width: slot - 4, overflow: "break", fontSize: 11, lineHeight: 13 }
                      : { interval: 0, rotate: 40, width: 84, overflow: "truncate", fontSize: 11 }
    };
  }

  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function escape(value) {
    return value === null || value === undefined ? ""
      : String(value).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  }

  return { hasData: hasData, empty: empty, narrow: narrow, categoryAxis: categoryAxis, escape: escape };
})();
