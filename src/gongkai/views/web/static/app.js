/* gongkai web app: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Filters: a changed select submits its form.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () {
      // A changed province invalidates the city and county below it.
      if (sel.name === "province" || sel.name === "city") {
        ["city", "county"].forEach(function (n) {
          if (n === sel.name) return;
          var other = sel.form.querySelector("select[name=" + n + "]");
          if (other && (sel.name === "province" || n === "county")) other.value = "";
        });
      }
      sel.form.submit();
    });
  });

  // Report view: following a finding to its cell also brings its source line into view.
  var source = document.querySelector("aside.source");
  function showLine(line) {
    if (!source || !line) return;
    var el = document.getElementById("L" + line);
    if (!el) return;
    source.scrollTop = el.offsetTop - source.clientHeight / 2;
    el.classList.add("flash");
    setTimeout(function () { el.classList.remove("flash"); }, 1500);
  }
  document.querySelectorAll("a.goto[data-line]").forEach(function (a) {
    a.addEventListener("click", function () { showLine(a.getAttribute("data-line")); });
  });
  document.querySelectorAll("table.national td.num a[href^='#L']").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      var line = a.getAttribute("href").slice(2);
      history.replaceState(null, "", "#L" + line);
      showLine(line);
    });
  });
  // Arriving at a cell, a row or a section (a finding's place) also shows its source line.
  function followHash() {
    if (!source || !location.hash) return;
    var id = decodeURIComponent(location.hash.slice(1));
    if (/^L\d+$/.test(id)) { showLine(id.slice(1)); return; }
    var el = document.getElementById(id);
    var line = el && el.getAttribute("data-line");
    if (line) showLine(line);
  }
  followHash();
  window.addEventListener("hashchange", followHash);

  // Upload: drop files on the zone.
  var drop = document.querySelector(".drop");
  if (drop) {
    var input = drop.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach(function (t) {
      drop.addEventListener(t, function (ev) { ev.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      drop.addEventListener(t, function (ev) { ev.preventDefault(); drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (ev) {
      if (!ev.dataTransfer || !ev.dataTransfer.files.length) return;
      input.files = ev.dataTransfer.files;
      drop.closest("form").submit();
    });
  }

  // Charts: each <script type="application/json" data-chart="id"> holds an ECharts option.
  function drawCharts() {
    if (typeof window.echarts === "undefined") return;
    document.querySelectorAll("script[data-chart]").forEach(function (s) {
      var el = document.getElementById(s.getAttribute("data-chart"));
      if (!el) return;
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(JSON.parse(s.textContent));
      window.addEventListener("resize", function () { chart.resize(); });
      el.setAttribute("data-drawn", "1");
    });
  }
  if (document.readyState === "complete") drawCharts();
  else window.addEventListener("load", drawCharts);
})();
