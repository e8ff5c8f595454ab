/* Draws every [data-chart] element with ECharts (served locally, no CDN).
 *
 * The options are built on the server (junheng/web/pages/charts.py) and embedded with Django's
 * json_script; the element's data-chart attribute names that script element. Charts follow the
 * width of their container (window resize, phone rotation, a sidebar opening) and use a CJK font
 * stack so Chinese labels never fall back to boxes.
 */
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", ' +
    '"Hiragino Sans GB", "WenQuanYi Micro Hei", sans-serif';

  function withFont(option) {
    var base = option.baseOption || option;
    base.textStyle = Object.assign({ fontFamily: FONT }, base.textStyle || {});
    return option;
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source || !window.echarts) {
      return null;
    }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(withFont(JSON.parse(source.textContent)));
    element.setAttribute("data-chart-ready", "true");
    return chart;
  }

  function start() {
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var chart = draw(element);
      if (chart) {
        charts.push(chart);
        if (window.ResizeObserver) {
          new ResizeObserver(function () { chart.resize(); }).observe(element);
        }
      }
    });
    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        charts.forEach(function (chart) { chart.resize(); });
      }, 100);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
