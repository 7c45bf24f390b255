/* Ledger dashboard: draws the ECharts from the JSON block #ledger-data (no inline script: CSP). */
(function () {
  "use strict";
  // "2026-12-07" → "12-07", "2026-12" → "2026年12月"
  function shortLabel(key) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
    if (m) { return m[2] + "-" + m[3]; }
    m = /^(\d{4})-(\d{2})$/.exec(key);
    return m ? m[1] + "年" + Number(m[2]) + "月" : key;
  }
  function init() {
    document.documentElement.classList.add("has-js");
    var dataEl = document.getElementById("ledger-data");
    if (!dataEl || !window.echarts) { return; }
    var data = JSON.parse(dataEl.textContent);
    var charts = [];
    var trendEl = document.getElementById("chart-trend");
    if (trendEl) {
      var t = echarts.init(trendEl);
      // daily (or monthly) counts are discrete: bars, not smoothed lines; short Chinese dates
      var n = data.trend.labels.length;
      t.setOption({
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { data: ["收件", "办结", "超期办结"] },
        grid: { left: 16, right: 16, bottom: 8, top: 36, containLabel: true },
        xAxis: {
          type: "category",
          data: data.trend.labels.map(shortLabel),
          axisTick: { alignWithLabel: true },
          axisLabel: { rotate: n > 12 ? 45 : 0, interval: n > 16 ? Math.ceil(n / 16) - 1 : 0, fontSize: 11 }
        },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: "收件", type: "bar", barMaxWidth: 14, data: data.trend.received },
          { name: "办结", type: "bar", barMaxWidth: 14, data: data.trend.decided },
          { name: "超期办结", type: "bar", barMaxWidth: 14, data: data.trend.late }
        ]
      });
      // a bar opens the cases behind it (that day's / month's 收件, 办结 or 超期办结)
      t.on("click", function (params) {
        var urls = data.trend.urls && data.trend.urls[["received", "decided", "late"][params.seriesIndex]];
        if (urls && urls[params.dataIndex]) { window.location.href = urls[params.dataIndex]; }
      });
      charts.push(t);
    }
    // the child jurisdictions' bars (counts, then rates); a bar opens that jurisdiction's dashboard
    function childBars(id, names, keys, yAxis, tooltip) {
      var el = document.getElementById(id);
      if (!el) { return; }
      var ch = echarts.init(el);
      tooltip.trigger = "axis";
      ch.setOption({
        tooltip: tooltip,
        legend: { data: names },
        grid: { left: 40, right: 16, bottom: 40, top: 36, containLabel: true },
        xAxis: { type: "category", data: data.children.labels, axisLabel: { interval: 0, rotate: data.children.labels.length > 6 ? 30 : 0 } },
        yAxis: yAxis,
        series: names.map(function (name, i) { return { name: name, type: "bar", data: data.children[keys[i]] }; })
      });
      ch.on("click", function (params) {
        var url = data.children.urls[params.dataIndex];
        if (url) { window.location.href = url; }
      });
      charts.push(ch);
    }
    childBars("chart-children", ["收件", "办结"], ["received", "decided"], { type: "value", minInterval: 1 }, {});
    childBars("chart-rates", ["按时办结率", "满意率"], ["on_time_rate", "satisfaction_rate"], { type: "value", min: 0, max: 100 },
      { valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } });
    window.addEventListener("resize", function () { charts.forEach(function (ch) { ch.resize(); }); });
    var form = document.getElementById("report-form");
    if (form) {
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var sel = document.getElementById("report-centre");
        var month = form.querySelector("input[name=month]").value;
        window.location.href = sel.value + (month ? "?month=" + encodeURIComponent(month) : "");
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
