/* gongkai 编写 page (/write): check the report while it is typed, fill table 三 from a ledger.
   Without this file the page still works: the ledger form and the download are plain posts. */
(function () {
  "use strict";

  var form = document.getElementById("write-form");
  if (!form) return;
  var ledgerForm = document.getElementById("ledger-form");
  var lang = form.getAttribute("data-lang") === "en" ? "en" : "zh";
  var first2021 = parseInt(form.getAttribute("data-first-2021"), 10) || 2021;
  var formatInput = form.querySelector("input[name=format]");
  var yearInput = document.getElementById("write-year");
  var ledgerYear = document.getElementById("ledger-year");
  var statusEl = document.getElementById("w-status");
  var countsEl = document.getElementById("w-counts");
  var allEl = document.getElementById("w-all");
  var RANK = { error: 0, warning: 1, info: 2 };
  var DELAY = 400;
  var timer = null;
  var sent = 0;
  var checks = 0;
  var controller = null;
  // What is under way — a check waiting for typing to pause, a check or a ledger on the wire — is
  // written on the form (data-pending), and each check answered counts up data-checked.
  var busy = { waiting: false, checking: false, ledger: false };
  function pending(what, on) {
    busy[what] = on;
    form.setAttribute("data-pending", busy.waiting || busy.checking || busy.ledger ? "1" : "0");
  }

  function msg(name, values) {
    var text = form.getAttribute("data-msg-" + name) || "";
    return text.replace(/\{(\w+)\}/g, function (_, k) {
      return values && values[k] !== undefined && values[k] !== null ? String(values[k]) : "";
    });
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function url(path) { return path + (path.indexOf("?") < 0 ? "?" : "&") + "lang=" + lang; }

  // The form's fields as the server reads them (inputs of a hidden format are disabled: left out).
  function fields() {
    var out = {};
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") out[name] = value;
    });
    return out;
  }
  // The input or text area named *name* that is in use (not in the other format's hidden grid).
  function field(name) {
    var found = form.querySelectorAll("[name='" + name.replace(/['\\]/g, "\\$&") + "']");
    for (var i = 0; i < found.length; i++) if (found[i].matches(":enabled")) return found[i];
    return null;
  }

  // --- the format follows the year: 2019 layout before 2021 --------------------------------------
  function formatOf(year) { return year >= first2021 ? "2021" : "2019"; }
  function setFormat(fid) {
    var current = formatInput.value;
    if (current === fid || !form.querySelector("fieldset.grid[data-format='" + fid + "']")) return;
    var kept = {};
    form.querySelectorAll("fieldset.grid[data-format='" + current + "'] input").forEach(function (i) {
      kept[i.name] = i.value;
    });
    form.querySelectorAll("fieldset.grid").forEach(function (fs) {
      var on = fs.getAttribute("data-format") === fid;
      fs.disabled = !on;
      fs.hidden = !on;
    });
    form.querySelectorAll("fieldset.grid[data-format='" + fid + "'] input").forEach(function (i) {
      if (Object.prototype.hasOwnProperty.call(kept, i.name)) i.value = kept[i.name];
    });
    formatInput.value = fid;
  }
  function yearChanged(value, other) {
    var text = value.replace(/年$/, "").trim();
    if (other && other.value !== value) other.value = value;
    if (/^\d{4}$/.test(text)) setFormat(formatOf(parseInt(text, 10)));
  }
  if (yearInput) yearInput.addEventListener("input", function () { yearChanged(yearInput.value, ledgerYear); });
  if (ledgerYear) {
    ledgerYear.addEventListener("input", function () {
      yearChanged(ledgerYear.value, yearInput);
      schedule();
    });
  }

  // --- findings next to their cells ---------------------------------------------------------------
  function clearMarks() {
    form.querySelectorAll(".lit").forEach(function (e) {
      e.classList.remove("lit", "sev-error", "sev-warning", "sev-info");
      e.removeAttribute("title");
    });
    form.querySelectorAll("[data-findings-for]").forEach(function (ul) { ul.textContent = ""; });
    allEl.textContent = "";
  }
  function holder(input) {
    return input.closest("td") || input.closest("label") || input;
  }
  function mark(f) {
    (f.cells || []).forEach(function (name) {
      var input = field(name);
      if (!input) return;
      var box = holder(input);
      var worst = ["error", "warning", "info"].filter(function (s) { return box.classList.contains("sev-" + s); })[0];
      if (!worst || RANK[f.severity] < RANK[worst]) {
        box.classList.remove("sev-error", "sev-warning", "sev-info");
        box.classList.add("lit", "sev-" + f.severity);
      }
      var line = (f.code === "input" ? "" : f.code + " ") + f.text;
      var title = box.getAttribute("title");
      box.setAttribute("title", title ? title + "\n" + line : line);
    });
  }
  function goTo(f) {
    var input = (f.cells || []).map(field).filter(Boolean)[0];
    var list = form.querySelector("[data-findings-for='" + f.group + "']");
    var target = input || list;
    if (!target) return;
    target.scrollIntoView({ block: "center" });
    if (input) input.focus({ preventScroll: true });
  }
  function item(f, withPlace) {
    var li = el("li", "sev-" + f.severity);
    li.appendChild(el("span", "sev sev-" + f.severity, f.severity_text));
    li.appendChild(document.createTextNode(" "));
    if (f.code !== "input") {
      var code = el("a", "code", f.code);
      code.href = "#";
      if (f.rule_title) code.title = f.rule_title;
      code.addEventListener("click", function (ev) { ev.preventDefault(); goTo(f); });
      li.appendChild(code);
      li.appendChild(document.createTextNode(" "));
    }
    if (withPlace && f.place) {
      li.appendChild(el("span", "place", f.place));
      li.appendChild(document.createTextNode(" "));
    }
    li.appendChild(el("span", "text", f.text));
    return li;
  }
  function counts(c) {
    countsEl.textContent = "";
    ["error", "warning", "info"].forEach(function (s) {
      countsEl.appendChild(el("span", "sev sev-" + s, (c[s] || 0) + " " + form.getAttribute("data-label-" + s)));
    });
  }
  function show(body) {
    clearMarks();
    var all = (body.input_errors || []).concat(body.findings || []);
    all.forEach(function (f) {
      mark(f);
      var list = form.querySelector("[data-findings-for='" + f.group + "']");
      if (list) list.appendChild(item(f, f.group === "meta" || /^table:/.test(f.group)));
      allEl.appendChild(item(f, true));
    });
    counts(body.counts || {});
    statusEl.textContent = all.length ? msg("checked", body.counts) : msg("clean");
    form.setAttribute("data-checked", String(++checks));
  }

  // --- kept in this tab (sessionStorage) across a language switch or a reload; never sent elsewhere --
  var STORE = "gongkai-write";
  function save() {
    try { window.sessionStorage.setItem(STORE, JSON.stringify(fields())); } catch (e) { /* storage off */ }
  }
  function restore() {
    var saved = null;
    try { saved = JSON.parse(window.sessionStorage.getItem(STORE) || "null"); } catch (e) { saved = null; }
    if (!saved || typeof saved !== "object") return false;
    if (typeof saved.format === "string") setFormat(saved.format);
    Object.keys(saved).forEach(function (name) {
      if (name === "format" || typeof saved[name] !== "string") return;
      var input = field(name);
      if (!input) return;
      if (input.type === "radio" || input.type === "checkbox") {
        form.querySelectorAll("input[name='" + name + "']").forEach(function (i) { i.checked = i.value === saved[name]; });
      } else {
        input.value = saved[name];
      }
    });
    if (ledgerYear && yearInput) ledgerYear.value = yearInput.value;
    return true;
  }
  var clear = document.getElementById("w-clear");
  if (clear) {
    clear.hidden = false;
    clear.addEventListener("click", function () {
      try { window.sessionStorage.removeItem(STORE); } catch (e) { /* storage off */ }
      window.location.assign(window.location.pathname);
    });
  }

  // --- the check, a moment after the last change ----------------------------------------------------
  function check() {
    var mine = ++sent;
    save();
    clearTimeout(timer);
    pending("waiting", false);
    pending("checking", true);
    if (controller) controller.abort();
    controller = typeof AbortController === "function" ? new AbortController() : null;
    statusEl.textContent = msg("checking");
    fetch(url(form.getAttribute("data-check-url")), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ fields: fields() }),
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (mine !== sent) return;
        pending("checking", false);
        if (!res.ok) { statusEl.textContent = res.body.error || msg("failed"); return; }
        show(res.body);
      })
      .catch(function (err) {
        if (err && err.name === "AbortError") return;
        if (mine !== sent) return;
        pending("checking", false);
        statusEl.textContent = msg("failed");
      });
  }
  function schedule() {
    clearTimeout(timer);
    pending("waiting", true);
    timer = setTimeout(check, DELAY);
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", function (ev) {
    if (ev.target && (ev.target.name === "fmt" || ev.target.name === "force")) return;
    schedule();
  });

  // --- the ledger: table 三 filled in, its findings listed ---------------------------------------------
  var ledgerResult = document.getElementById("ledger-result");
  function showLedger(body) {
    ledgerResult.textContent = "";
    var p = el("p", "ledger-summary");
    p.appendChild(el("b", "path", body.file));
    p.appendChild(document.createTextNode(" " + msg("ledger", body)));
    ledgerResult.appendChild(p);
    if (!body.findings || !body.findings.length) {
      ledgerResult.appendChild(el("p", "muted", msg("ledger-clean")));
      return;
    }
    var table = el("table", "findings ledger-findings");
    var tbody = el("tbody");
    body.findings.forEach(function (f) {
      var tr = el("tr", "sev-" + f.severity);
      var sev = el("td", "c-sev");
      sev.appendChild(el("span", "sev sev-" + f.severity, f.severity_text));
      tr.appendChild(sev);
      var code = el("td", "c-code");
      var span = el("span", "", f.code);
      if (f.rule_title) span.title = f.rule_title;
      code.appendChild(span);
      tr.appendChild(code);
      tr.appendChild(el("td", "c-line", f.where));
      tr.appendChild(el("td", "c-msg", f.text));
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    ledgerResult.appendChild(table);
  }
  function fillRequests(body) {
    if (yearInput) yearInput.value = String(body.year);
    if (ledgerYear) ledgerYear.value = String(body.year);
    setFormat(String(body.format));
    var rows = body.requests || {};
    Object.keys(rows).forEach(function (row) {
      Object.keys(rows[row] || {}).forEach(function (col) {
        var input = field("cell.requests." + row + "." + col);
        var v = rows[row][col];
        if (input) input.value = v === null || v === undefined ? "" : String(v);
      });
    });
  }
  if (ledgerForm) {
    ledgerForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var data = new FormData(ledgerForm);
      if (yearInput && yearInput.value.trim()) data.set("year", yearInput.value.trim());
      ledgerResult.textContent = "";
      ledgerResult.appendChild(el("p", "muted", msg("reading")));
      pending("ledger", true);
      fetch(url(form.getAttribute("data-ledger-url")), {
        method: "POST",
        headers: { Accept: "application/json" },
        body: data,
        credentials: "same-origin",
      })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          if (!res.ok) {
            ledgerResult.textContent = "";
            ledgerResult.appendChild(el("p", "error-message", res.body.error || msg("failed")));
            return;
          }
          fillRequests(res.body);
          showLedger(res.body);
          check();
        })
        .catch(function () {
          ledgerResult.textContent = "";
          ledgerResult.appendChild(el("p", "error-message", msg("failed")));
        })
        .then(function () { pending("ledger", false); });
    });
  }

  // A page shown again with what was typed (a refused file, a ledger read without this script) is
  // checked at once; an empty one waits for the first change.
  var restored = form.getAttribute("data-restore") === "1" && restore();
  var typed = Array.prototype.some.call(form.querySelectorAll("input:enabled, textarea"), function (i) {
    return i.type !== "hidden" && i.type !== "radio" && i.type !== "checkbox" && i.name !== "year" && i.value.trim();
  });
  if (typed || restored) check();
})();
