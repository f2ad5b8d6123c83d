// The page's script: plain DOM and a canvas, no framework. Every text from
// a run is put in the page with textContent (never innerHTML); data comes
// from the JSON API (served) or from the JSON embedded in the page (report).
// Written without backticks or "${" so that it can sit in this template.

/** The JavaScript of the viewer's pages. */
export const PAGE_SCRIPT = String.raw`
(function () {
"use strict";
var boot = JSON.parse(document.getElementById("runlog-boot").textContent);
var REPORT = boot.mode === "report";
var app = document.getElementById("app");
var hook = { ready: false, page: "", timeline: null, logs: {}, errors: [], live: 0 };
window.__runlog = hook;

var STATUSES = ["running", "succeeded", "failed", "interrupted", "crashed", "unknown"];
var LEVELS = ["STEP", "INFO", "OK", "WARN", "ERROR", "OTHER"];
var PALETTE = ["#4e79a7", "#59a14f", "#f28e2b", "#b07aa1", "#e15759", "#76b7b2", "#edc948",
  "#9c755f", "#ff9da7", "#79706e"];
var FAILURE = /fail|error|panic|timeout|abort|crash|interrupt|refus|denied/i;
var MAX_EFFECTS = 1000000;
var MAX_RUN_ROWS = 1000;
var GAP_CAP = 10 * 60 * 1000;

// ---------------------------------------------------------------- helpers

function h(tag, props) {
  var el = document.createElement(tag);
  if (props) {
    for (var key in props) {
      var v = props[key];
      if (v === null || v === undefined || v === false) continue;
      if (key === "class") el.className = v;
      else if (key === "text") el.textContent = v;
      else if (key === "style") for (var s in v) el.style[s] = v[s];
      else if (key.slice(0, 2) === "on") el.addEventListener(key.slice(2), v);
      else if (key === "hidden") el.hidden = true;
      else if (key === "disabled") el.disabled = true;
      else el.setAttribute(key, String(v));
    }
  }
  for (var i = 2; i < arguments.length; i++) add(el, arguments[i]);
  return el;
}
function add(el, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) { child.forEach(function (c) { add(el, c); }); return; }
  el.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
}
function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }
function enc(s) { return encodeURIComponent(s); }
function fmtInt(n) { return Number(n).toLocaleString("en-US"); }
function fmtBytes(n) {
  if (n === null || n === undefined) return "";
  if (n < 1000) return n + " B";
  var units = ["kB", "MB", "GB", "TB"], v = n / 1000, u = 0;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return (v < 10 ? v.toFixed(1) : Math.round(v)) + " " + units[u];
}
function fmtDuration(ms) {
  if (ms === null || ms === undefined || !isFinite(ms)) return "";
  if (ms < 1000) return Math.round(ms) + " ms";
  var s = Math.floor(ms / 1000);
  if (s < 60) return (ms < 10000 ? (ms / 1000).toFixed(1) : s) + " s";
  if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
  return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
}
function fmtAxis(ms) {
  if (ms === 0) return "0";
  if (ms < 1000) return Math.round(ms) + " ms";
  if (ms < 60000) return (ms % 1000 ? (ms / 1000).toFixed(1) : ms / 1000) + " s";
  var m = Math.floor(ms / 60000), s = Math.round((ms % 60000) / 1000);
  if (ms < 3600000) return m + " min" + (s ? " " + s + " s" : "");
  var hours = Math.floor(ms / 3600000), mins = Math.round((ms % 3600000) / 60000);
  return hours + " h" + (mins ? " " + mins + " min" : "");
}
function fmtTime(iso) { return iso ? String(iso).replace("T", " ").slice(0, 19) + " UTC" : ""; }
function durationOf(run) {
  var start = Date.parse(run.startedAt);
  var end = run.endedAt ? Date.parse(run.endedAt) : (run.live ? Date.now() : NaN);
  return isFinite(end - start) ? fmtDuration(end - start) : "";
}
function badge(status) {
  return h("span", { class: "badge st-" + (STATUSES.indexOf(status) >= 0 ? status : "unknown"),
    "data-status": status }, status);
}
function runHref(id) { return "/run/" + enc(id); }
function api(path) {
  return fetch(path, { headers: { Accept: "application/json" }, credentials: "same-origin",
    cache: "no-store" }).then(function (res) {
    if (res.ok) return res.json();
    return res.text().then(function (text) {
      var message = res.status + " " + res.statusText;
      try { message = JSON.parse(text).error || message; } catch (e) { /* not JSON */ }
      if (res.status === 403) message += " (open the URL that runlog serve printed: it holds the token)";
      throw new Error(message);
    });
  });
}
function fail(where, error) {
  hook.errors.push(String(error && error.message || error));
  add(where, h("p", { class: "error" }, String(error && error.message || error)));
}
function topBar(crumbs) {
  var bar = h("header", { class: "top" },
    REPORT ? h("span", { class: "brand" }, "runlog") : h("a", { class: "brand", href: "/" }, "runlog"));
  crumbs.forEach(function (c) { add(bar, h("span", { class: "crumb" }, "/")); add(bar, c); });
  add(bar, h("span", { class: "spacer" }));
  if (REPORT) add(bar, h("span", { class: "pill" }, "report of " + fmtTime(boot.generatedAt)));
  add(bar, boot.redacted ? h("span", { class: "pill", title: "secrets are masked as in runlog pack" },
    "secrets masked") : h("span", { class: "pill off" }, "redaction OFF"));
  return bar;
}
function cleanLine(text) { return String(text).split("\n")[0]; }

// ---------------------------------------------------------------- routing

function main() {
  try {
    if (REPORT) { renderRun(boot.data.detail.run.id); return; }
    var parts = location.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (parts[0] === "run" && parts[1]) renderRun(parts[1]);
    else if (parts[0] === "compare" && parts[1] && parts[2]) renderCompare(parts[1], parts[2]);
    else renderRuns();
  } catch (error) {
    fail(app, error);
  }
}

// ---------------------------------------------------------------- runs page

function renderRuns() {
  hook.page = "runs";
  document.title = "runlog: runs";
  var filter = h("select", { id: "status-filter", "aria-label": "Filter by status" },
    ["all"].concat(STATUSES).map(function (s) { return h("option", { value: s }, s); }));
  var count = h("span", { class: "muted", id: "run-count" });
  var selected = [];
  var compare = h("button", { id: "compare", disabled: true }, "Compare the 2 selected");
  var tbody = h("tbody");
  var note = h("p", { class: "muted" });
  var problem = h("div");
  var runs = [];
  var loaded = false;
  app.appendChild(topBar([h("span", null, "Runs")]));
  app.appendChild(h("main", null,
    h("div", { class: "toolbar" }, h("label", null, "Status ", filter), count, compare), problem,
    h("table", { class: "runs" },
      h("thead", null, h("tr", null, h("th", null, ""), h("th", null, "Run"), h("th", null, "Status"),
        h("th", null, "Started"), h("th", null, "Duration"), h("th", { class: "num" }, "Size"),
        h("th", null, "Live"), h("th", null, "Command"))),
      tbody),
    note));

  function draw() {
    clear(tbody);
    var shown = runs.filter(function (r) { return filter.value === "all" || r.status === filter.value; });
    count.textContent = fmtInt(shown.length) + " of " + fmtInt(runs.length) + " runs";
    // Thousands of rows redrawn every poll would freeze the page: the newest ones, and a note.
    var more = shown.length - MAX_RUN_ROWS;
    shown.slice(0, MAX_RUN_ROWS).forEach(function (r) {
      var box = h("input", { type: "checkbox", "aria-label": "select " + r.id });
      box.checked = selected.indexOf(r.id) >= 0;
      box.addEventListener("change", function () {
        var at = selected.indexOf(r.id);
        if (box.checked && at < 0) selected.push(r.id);
        if (!box.checked && at >= 0) selected.splice(at, 1);
        while (selected.length > 2) selected.shift();
        compare.disabled = selected.length !== 2;
        draw();
      });
      var m = r.metadata || {};
      tbody.appendChild(h("tr", { "data-run-id": r.id, "data-status": r.status },
        h("td", null, box),
        h("td", null, h("a", { class: "mono", href: runHref(r.id) }, r.id)),
        h("td", null, badge(r.status)),
        h("td", null, fmtTime(r.startedAt)),
        h("td", null, durationOf(r)),
        h("td", { class: "num" }, fmtBytes(r.bytes)),
        h("td", null, r.live ? h("span", { class: "live", title: r.holder ? "pid " + r.holder.pid +
          " on " + r.holder.host : "" }, "\u25cf live") : ""),
        h("td", { class: "cmd", title: m.command || r.problem || "" }, m.command || r.problem || "")));
    });
    if (more > 0) {
      tbody.appendChild(h("tr", null, h("td", { colspan: 8, class: "muted" },
        "\u2026 and " + fmtInt(more) + " older runs, not shown: filter by status to see others.")));
    }
    if (shown.length === 0) {
      tbody.appendChild(h("tr", null, h("td", { colspan: 8, class: "muted" },
        !loaded ? "Loading\u2026" : runs.length ? "No run has this status." : "No runs in this workspace yet.")));
    }
  }
  filter.addEventListener("change", draw);
  compare.addEventListener("click", function () {
    if (selected.length === 2) location.href = "/compare/" + enc(selected[0]) + "/" + enc(selected[1]);
  });
  function poll() {
    api("/api/runs").then(function (data) {
      runs = data.runs;
      loaded = true;
      clear(problem);
      clear(note);
      if (data.skipped.length) {
        add(note, "Not runs, left alone: " + data.skipped.map(function (s) {
          return s.name + " (" + s.reason + ")"; }).join("; "));
      }
      draw();
      hook.ready = true;
    }).catch(function (error) { clear(problem); fail(problem, error); })
      .then(function () { setTimeout(poll, 2000); });
  }
  draw();
  poll();
}

// ---------------------------------------------------------------- run page

function renderRun(id) {
  hook.page = "run";
  document.title = "runlog: " + id;
  var root = h("main");
  app.appendChild(topBar([REPORT ? h("span", null, "Run") : h("a", { href: "/" }, "Runs"),
    h("span", { class: "mono" }, id)]));
  app.appendChild(root);
  var data = REPORT ? Promise.resolve(boot.data.detail) : api("/api/runs/" + enc(id));
  data.then(function (detail) { buildRun(root, id, detail); })
    .catch(function (error) { fail(root, error); hook.ready = true; });
}

function buildRun(root, id, detail) {
  var head = h("section", { class: "run-head", id: "run-head" });
  var problems = h("div", { id: "problems" });
  root.appendChild(head);
  root.appendChild(problems);
  drawHead(head, detail.run);
  if (REPORT) boot.data.notes.forEach(function (n) { root.appendChild(h("p", { class: "note" }, n)); });
  if (detail.filesCut) root.appendChild(h("p", { class: "note" }, "This run holds more files than the viewer lists; the first " + fmtInt(detail.files.length) + " are shown."));

  var files = detail.files;
  var tlPanel = h("section", { class: "panel", id: "timeline" });
  root.appendChild(tlPanel);
  var effectPanel = h("div", { class: "effect-panel", id: "effect", hidden: true });
  var timeline = new Timeline(tlPanel, function (i) { showEffect(i); });
  tlPanel.appendChild(effectPanel);
  hook.timeline = timeline.hook();

  var tabs = h("div", { class: "tabs", role: "tablist" });
  var panels = h("div");
  var logsPanel = h("section", { class: "panel" }, tabs, panels);
  root.appendChild(logsPanel);
  var tabList = [];
  function tab(name, label, panel) {
    var button = h("button", { role: "tab", "data-tab": name, "aria-selected": "false" }, label);
    button.addEventListener("click", function () { select(name); });
    tabs.appendChild(button);
    panel.hidden = true;
    panels.appendChild(panel);
    tabList.push({ name: name, button: button, panel: panel });
  }
  function select(name) {
    tabList.forEach(function (t) {
      var on = t.name === name;
      t.button.setAttribute("aria-selected", on ? "true" : "false");
      t.panel.hidden = !on;
      if (on && t.onShow) t.onShow();
    });
  }

  var pipeline = new LogView({ runId: id, path: "pipeline.log", grouped: true, levels: true,
    data: REPORT ? boot.data.logs["pipeline.log"] : null });
  var pipePanel = h("div", { "data-panel": "pipeline" }, pipeline.el);
  tab("pipeline", "Pipeline log", pipePanel);
  tabList[tabList.length - 1].onShow = function () { pipeline.render(); };

  var fileHolder = h("div", { id: "file-view" });
  var filesTable = h("tbody");
  var filesPanel = h("div", { "data-panel": "files" },
    h("table", null, h("thead", null, h("tr", null, h("th", null, "File"), h("th", { class: "num" }, "Size"),
      h("th", null, ""))), filesTable), h("div", { style: { height: "12px" } }), fileHolder);
  tab("files", "Files", filesPanel);
  var fileView = null;
  tabList[tabList.length - 1].onShow = function () { if (fileView) fileView.render(); };

  var tracePanel = h("div", { "data-panel": "trace" });
  if (detail.trace) {
    tab("trace", "Crash trace", tracePanel);
    var traceData = REPORT ? Promise.resolve(boot.data.trace) : api("/api/runs/" + enc(id) + "/trace");
    traceData.then(function (trace) { drawTrace(tracePanel, trace); })
      .catch(function (error) { fail(tracePanel, error); });
  }
  if (!REPORT) {
    var comparePanel = h("div", { "data-panel": "compare" });
    tab("compare", "Compare", comparePanel);
    api("/api/runs").then(function (list) {
      var others = list.runs.filter(function (r) { return r.id !== id; });
      if (!others.length) { add(comparePanel, h("p", { class: "muted" }, "No other run to compare with.")); return; }
      var pick = h("select", { "aria-label": "Run to compare with" },
        others.map(function (r) { return h("option", { value: r.id }, r.id + "  (" + r.status + ")"); }));
      var go = h("button", null, "Compare");
      go.addEventListener("click", function () { location.href = "/compare/" + enc(id) + "/" + enc(pick.value); });
      add(comparePanel, h("div", { class: "toolbar" }, h("label", null, "Compare with ", pick), go));
    }).catch(function (error) { fail(comparePanel, error); });
  }
  select("pipeline");

  function drawFiles(list) {
    files = list;
    clear(filesTable);
    list.forEach(function (f) {
      var viewable = !REPORT || boot.data.logs[f.path];
      var open = viewable ? h("button", { class: "linkish", "data-file": f.path }, f.path) : h("span", null, f.path);
      if (viewable) open.addEventListener("click", function () { openFile(f.path); });
      filesTable.appendChild(h("tr", null, h("td", { class: "mono" }, open), h("td", { class: "num" }, fmtBytes(f.bytes)),
        h("td", null, REPORT ? (viewable ? "" : h("span", { class: "muted" }, "not in this report"))
          : h("a", { href: "/api/runs/" + enc(id) + "/raw?path=" + enc(f.path), target: "_blank", rel: "noopener noreferrer" }, "raw"))));
    });
    (detail.skipped || []).forEach(function (s) {
      filesTable.appendChild(h("tr", null, h("td", { class: "mono muted" }, s.path), h("td", null, ""),
        h("td", { class: "muted" }, s.reason)));
    });
  }
  drawFiles(files);

  function openFile(path) {
    select("files");
    if (fileView && fileView.path === path) return;
    clear(fileHolder);
    if (fileView) delete hook.logs[fileView.path];
    fileView = new LogView({ runId: id, path: path, grouped: path === "pipeline.log", levels: false,
      data: REPORT ? boot.data.logs[path] : null });
    fileHolder.appendChild(h("h3", { class: "mono" }, path));
    fileHolder.appendChild(fileView.el);
    fileView.open().then(function () { if (live) live.reconnect(); });
  }

  function showEffect(i) {
    clear(effectPanel);
    if (i < 0) { effectPanel.hidden = true; return; }
    effectPanel.hidden = false;
    var e = timeline.effect(i);
    add(effectPanel, h("h3", null, "#" + e.seq + "  " + e.phase));
    add(effectPanel, h("pre", { class: "line" }, e.line));
    var matches = logsFor(e, files);
    if (matches.length) {
      add(effectPanel, h("div", null, "Logs of this effect:"));
    } else {
      matches = files.filter(function (f) { return /^(agents|provider)\//.test(f.path); }).slice(0, 40);
      add(effectPanel, h("div", { class: "muted" }, matches.length
        ? "No log is named after this effect's phase and index; the run's agent and provider logs:"
        : "This run has no agent or provider logs."));
    }
    var row = h("div", { class: "files" });
    matches.forEach(function (f) {
      var b = h("button", { "data-open": f.path }, f.path);
      b.addEventListener("click", function () { openFile(f.path); });
      row.appendChild(b);
    });
    add(effectPanel, row);
  }

  var live = null;
  var firstLoads = [pipeline.open(), loadTimeline(timeline, id)];
  Promise.all(firstLoads).then(function () {
    hook.readyAt = performance.now();
    hook.ready = true;
    if (!REPORT) {
      live = startLive(id, timeline, pipeline, function () { return fileView; }, {
        run: function (run) { detail.run = run; drawHead(head, run); },
        files: function (f) { detail.skipped = f.skipped; drawFiles(f.files); },
        problem: function (message) { clear(problems); add(problems, h("p", { class: "problem" }, message)); }
      });
    }
  }).catch(function (error) { fail(root, error); hook.ready = true; });
}

function loadTimeline(timeline, id) {
  if (REPORT) {
    timeline.append(boot.data.timeline);
    timeline.done(boot.data.timeline.done ? "" : boot.data.timelineNote);
    return Promise.resolve();
  }
  function next(from) {
    return api("/api/runs/" + enc(id) + "/timeline?from=" + from).then(function (chunk) {
      timeline.append(chunk);
      if (chunk.done) { timeline.done(""); return; }
      if (timeline.n >= MAX_EFFECTS) {
        timeline.done("The timeline shows the first " + fmtInt(timeline.n) + " effects: the page holds no more. " +
          fmtBytes(chunk.size - chunk.next) + " of event_loop.log were not read; the Files tab shows the whole log.");
        timeline.capped = true;
        return;
      }
      return next(chunk.next);
    });
  }
  return next(0);
}

function drawHead(head, run) {
  var was = head.querySelector("details");
  var open = was ? was.open : true;
  clear(head);
  var m = run.metadata || {};
  var c = m.configSummary || {};
  add(head, h("div", { class: "run-title" }, h("h1", null, run.id), badge(run.status),
    run.live ? h("span", { class: "live", id: "live-badge" }, "\u25cf live") : null));
  var dl = h("dl", { class: "meta" });
  function row(label, value, mono) {
    if (value === undefined || value === null || value === "") return;
    add(dl, [h("dt", null, label), h("dd", { class: mono ? "mono" : null }, String(value))]);
  }
  row("Started", fmtTime(run.startedAt));
  row("Ended", run.endedAt ? fmtTime(run.endedAt) : run.live ? "still running" : "not recorded");
  row("Duration", durationOf(run));
  row("Size", fmtBytes(run.bytes));
  if (run.holder) row("Written by", "pid " + run.holder.pid + " on " + run.holder.host + " (" + run.holder.runtime + "), since " + fmtTime(run.holder.takenAt));
  row("Command", m.command, true);
  row("Version", m.ralphVersion);
  row("Repository", m.repoRoot, true);
  row("Agents", [c.developerAgent, c.reviewerAgent].filter(Boolean).join(", "));
  row("Iterations", c.totalIterations);
  row("Reviewer passes", c.totalReviewerPasses);
  row("run.json", run.problem);
  add(head, dl);
  var sessions = m.sessions || [];
  if (sessions.length) {
    var body = h("tbody");
    sessions.forEach(function (s, i) {
      body.appendChild(h("tr", null, h("td", null, String(i + 1) + (s.resume ? " (resume)" : "") + (s.recreated ? " (recreated)" : "")),
        h("td", null, fmtTime(s.startedAtUtc)), h("td", null, fmtTime(s.endedAtUtc)),
        h("td", null, s.status ? badge(s.status) : ""), h("td", null, s.pid === undefined ? "" : String(s.pid)),
        h("td", null, s.host || ""), h("td", { class: "cmd" }, s.command || "")));
    });
    add(head, h("details", { class: "sessions", open: open ? "" : null }, h("summary", null, sessions.length + " session" + (sessions.length > 1 ? "s" : "")),
      h("table", { id: "sessions" }, h("thead", null, h("tr", null, ["#", "Started", "Ended", "Status", "PID", "Host", "Command"].map(function (t) { return h("th", null, t); }))), body)));
  }
}

function drawTrace(panel, trace) {
  clear(panel);
  if (!trace.present) { add(panel, h("p", { class: "muted" }, "No crash trace.")); return; }
  if (trace.cut) add(panel, h("p", { class: "note" }, "The trace is long: its first " + fmtBytes(trace.cut) + " are not shown."));
  if (trace.final) add(panel, [h("h3", null, "Final state"), h("pre", { class: "block" }, JSON.stringify(trace.final, null, 2))]);
  var keys = [];
  trace.entries.forEach(function (e) {
    if (e && typeof e === "object") Object.keys(e).forEach(function (k) { if (keys.indexOf(k) < 0 && keys.length < 12) keys.push(k); });
  });
  var body = h("tbody");
  trace.entries.forEach(function (e) {
    body.appendChild(h("tr", null, keys.map(function (k) {
      var v = e && typeof e === "object" ? e[k] : e;
      return h("td", { class: "mono" }, v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));
    })));
  });
  add(panel, [h("h3", null, trace.entries.length + " trace entries, oldest first"),
    h("div", { style: { overflowX: "auto" } }, h("table", { id: "trace" }, h("thead", null, h("tr", null, keys.map(function (k) { return h("th", null, k); }))), body))]);
}

// Agent and provider logs named after an effect: <phase>_<index>.log where
// the phase starts like the effect's phase and the index is one of its
// context numbers (iteration, pass, agent index).
function logsFor(effect, files) {
  function norm(s) { return String(s).toLowerCase().replace(/[^a-z0-9]/g, ""); }
  var phase = norm(effect.phase);
  var numbers = [];
  var re = /(?:^|[ ,=])(?:iteration|reviewer_pass|pass|agent_index|index|attempt)=(\d+)/g, m;
  while ((m = re.exec(effect.detail)) !== null) numbers.push(Number(m[1]));
  return files.filter(function (f) {
    var name = f.path.split("/").pop();
    if (!/^(agents|provider)\//.test(f.path)) return false;
    var parts = /(?:^|_)([A-Za-z][A-Za-z0-9-]*)_(\d+)(?:_a\d+)?\.[A-Za-z0-9]+$/.exec(name);
    if (!parts) return false;
    var p = norm(parts[1]);
    if (!p || !phase || !(phase.indexOf(p) === 0 || p.indexOf(phase) === 0)) return false;
    return numbers.length === 0 || numbers.indexOf(Number(parts[2])) >= 0;
  });
}

// ---------------------------------------------------------------- live

function startLive(id, timeline, pipeline, fileView, on) {
  var source = null;
  function connect() {
    if (source) source.close();
    var view = fileView();
    var query = "events=" + timeline.next + "&pipeline=" + pipeline.tail +
      (view ? "&path=" + enc(view.path) + "&file=" + view.tail : "");
    source = new EventSource("/api/runs/" + enc(id) + "/live?" + query);
    source.addEventListener("open", function () { hook.live++; });
    source.addEventListener("effects", function (ev) { timeline.live(JSON.parse(ev.data), id); });
    source.addEventListener("lines", function (ev) {
      var d = JSON.parse(ev.data);
      var v = fileView();
      if (d.path === "pipeline.log") pipeline.live(d);
      if (v && v.path === d.path) v.live(d);
    });
    source.addEventListener("run", function (ev) { on.run(JSON.parse(ev.data)); });
    source.addEventListener("files", function (ev) { on.files(JSON.parse(ev.data)); });
    source.addEventListener("problem", function (ev) { on.problem(JSON.parse(ev.data).message); });
    source.addEventListener("reset", function () { location.reload(); });
  }
  connect();
  return { reconnect: connect };
}

// ---------------------------------------------------------------- timeline

var AXIS = 22, LANE = 18, LANE_GAP = 4;

function Timeline(panel, onSelect) {
  var self = this;
  this.onSelect = onSelect;
  this.n = 0;
  this.cap = 0;
  this.next = 0;
  this.strings = [];
  this.stringIndex = new Map();
  this.phases = [];
  this.phaseIndex = new Map();
  this.phaseCount = [];
  this.phaseMs = [];
  this.end = 0;
  this.lastT = NaN;
  this.breaks = [];
  this.invalid = 0;
  this.inexact = 0;
  this.totalMs = 0;
  this.failures = 0;
  this.vs = 0;
  this.ve = 1;
  this.following = true;
  this.selected = -1;
  this.hoverIndex = -1;
  this.grow(1024);
  this.info = h("span", { class: "muted", id: "timeline-info" });
  this.notice = h("div");
  this.lanes = h("div", { class: "lanes" });
  this.canvas = h("canvas", { class: "timeline", id: "timeline-canvas", "aria-label": "Timeline of effects" });
  this.tip = h("div", { class: "tooltip", id: "timeline-tip", hidden: true });
  this.box = h("div", { class: "canvas-box" }, this.canvas, this.tip);
  this.legend = h("div", { class: "legend", id: "timeline-legend" });
  var fit = h("button", { title: "Show everything (double-click)" }, "Fit");
  var zoomIn = h("button", { title: "Zoom in (wheel)" }, "+");
  var zoomOut = h("button", { title: "Zoom out (wheel)" }, "\u2212");
  fit.addEventListener("click", function () { self.fit(); self.draw(); });
  zoomIn.addEventListener("click", function () { self.zoom(0.5, 0.5); });
  zoomOut.addEventListener("click", function () { self.zoom(2, 0.5); });
  add(panel, [h("div", { class: "toolbar" }, h("h2", { style: { margin: "0" } }, "Timeline"), fit, zoomOut, zoomIn, this.info),
    this.notice, h("div", { class: "timeline-wrap" }, this.lanes, this.box), this.legend]);
  this.bind();
  if (typeof ResizeObserver === "function") {
    new ResizeObserver(function () { self.schedule(); }).observe(this.box);
  }
}

Timeline.prototype.grow = function (cap) {
  var self = this;
  function more(Type, old) { var a = new Type(cap); if (old) a.set(old.subarray(0, self.n)); return a; }
  this.seq = more(Float64Array, this.seq);
  this.start = more(Float64Array, this.start);
  this.dur = more(Float64Array, this.dur);
  this.time = more(Float64Array, this.time);
  this.off = more(Float64Array, this.off);
  this.phase = more(Uint16Array, this.phase);
  this.eff = more(Int32Array, this.eff);
  this.evt = more(Int32Array, this.evt);
  this.det = more(Int32Array, this.det);
  this.bad = more(Uint8Array, this.bad);
  this.cap = cap;
};

Timeline.prototype.intern = function (s) {
  var i = this.stringIndex.get(s);
  if (i === undefined) { i = this.strings.length; this.strings.push(s); this.stringIndex.set(s, i); }
  return i;
};

Timeline.prototype.lane = function (name) {
  var i = this.phaseIndex.get(name);
  if (i === undefined) {
    i = this.phases.length;
    this.phases.push(name);
    this.phaseIndex.set(name, i);
    this.phaseCount.push(0);
    this.phaseMs.push(0);
  }
  return i;
};

// Appends a chunk of the timeline API; effects it already has are skipped.
Timeline.prototype.append = function (chunk) {
  var local = chunk.strings.map(this.intern, this);
  var abs = null;
  var count = chunk.seq.length;
  if (this.n + count > MAX_EFFECTS) count = Math.max(0, MAX_EFFECTS - this.n);
  for (var i = 0; i < count; i++) {
    var t = chunk.t[i];
    if (t !== null) abs = abs === null ? t : abs + t;
    if (chunk.off[i] < this.next) continue;
    if (this.n >= this.cap) this.grow(this.cap * 2);
    var n = this.n;
    var ms = chunk.ms[i];
    var time = t === null ? NaN : abs;
    var gap = isFinite(time) && isFinite(this.lastT) ? time - ms - this.lastT : 0;
    if (gap > GAP_CAP) { this.breaks.push(this.end + GAP_CAP / 2); gap = GAP_CAP; }
    this.start[n] = this.end + Math.max(0, gap);
    this.dur[n] = ms;
    this.end = this.start[n] + ms;
    if (isFinite(time)) this.lastT = time;
    this.seq[n] = chunk.seq[i];
    this.time[n] = time;
    this.off[n] = chunk.off[i];
    var lane = this.lane(chunk.strings[chunk.phase[i]]);
    this.phase[n] = lane;
    this.phaseCount[lane]++;
    this.phaseMs[lane] += ms;
    this.totalMs += ms;
    this.eff[n] = local[chunk.effect[i]];
    this.evt[n] = local[chunk.event[i]];
    this.det[n] = local[chunk.detail[i]];
    this.bad[n] = FAILURE.test(this.strings[this.evt[n]]) ? 1 : 0;
    this.failures += this.bad[n];
    this.n++;
  }
  this.next = count === chunk.seq.length ? Math.max(this.next, chunk.next) : chunk.off[count];
  this.invalid += chunk.invalid || 0;
  this.inexact += chunk.inexact || 0;
  if (chunk.firstInvalid && !this.firstInvalid) this.firstInvalid = chunk.firstInvalid;
  if (this.following) this.fitView();
  this.schedule();
};

Timeline.prototype.done = function (note) {
  clear(this.notice);
  if (note) add(this.notice, h("p", { class: "note" }, note));
  if (this.invalid) {
    add(this.notice, h("p", { class: "note" }, fmtInt(this.invalid) + " line(s) of event_loop.log could not be read and are not shown" +
      (this.firstInvalid ? " (the first at byte " + fmtInt(this.firstInvalid.offset) + ": " + this.firstInvalid.text.slice(0, 160) + ")" : "") + "."));
  }
  if (this.breaks.length) {
    add(this.notice, h("p", { class: "muted" }, "Pauses longer than 10 min (" + this.breaks.length + ") are drawn as 10 min, marked by a dashed line."));
  }
  this.fit();
  this.draw();
};

Timeline.prototype.live = function (chunk, id) {
  var self = this;
  if (this.capped) return;
  if (chunk.from > this.next) {
    // Missed a part (the page was busy): read it, then this chunk again.
    if (this.fetching) return;
    this.fetching = true;
    api("/api/runs/" + enc(id) + "/timeline?from=" + this.next).then(function (c) {
      self.append(c);
      self.fetching = false;
    }).catch(function () { self.fetching = false; });
    return;
  }
  this.append(chunk);
};

Timeline.prototype.fitView = function () {
  this.vs = 0;
  this.ve = Math.max(this.end, 1);
};
Timeline.prototype.fit = function () { this.following = true; this.fitView(); };
Timeline.prototype.width = function () { return Math.max(50, this.box.clientWidth || 800); };
Timeline.prototype.scale = function () { return this.width() / (this.ve - this.vs); };
Timeline.prototype.laneY = function (lane) { return AXIS + lane * (LANE + LANE_GAP); };
Timeline.prototype.schedule = function () {
  var self = this;
  if (this.pending) return;
  this.pending = true;
  requestAnimationFrame(function () { self.pending = false; self.draw(); });
};

Timeline.prototype.zoom = function (factor, at) {
  var span = this.ve - this.vs;
  var center = this.vs + span * at;
  var next = Math.max(2, Math.min(span * factor, Math.max(this.end, 1) * 1.05));
  this.vs = center - next * at;
  this.ve = this.vs + next;
  this.following = false;
  this.clampView();
  this.schedule();
};
Timeline.prototype.clampView = function () {
  var span = this.ve - this.vs, total = Math.max(this.end, 1);
  if (this.vs < 0) { this.vs = 0; this.ve = span; }
  if (this.ve > total && span <= total) { this.ve = total; this.vs = total - span; }
};

// The first effect whose end is after t (ends grow with the index).
Timeline.prototype.firstEndingAfter = function (t) {
  var lo = 0, hi = this.n;
  while (lo < hi) { var mid = (lo + hi) >> 1; if (this.start[mid] + this.dur[mid] < t) lo = mid + 1; else hi = mid; }
  return lo;
};

Timeline.prototype.draw = function () {
  var width = this.width();
  var lanes = Math.max(1, this.phases.length);
  var height = this.laneY(lanes) + 4;
  var dpr = window.devicePixelRatio || 1;
  var canvas = this.canvas;
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.height = height + "px";
  }
  var ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, width, height);
  for (var l = 0; l < lanes; l++) {
    ctx.fillStyle = l % 2 ? "#f6f8fa" : "#fbfcfd";
    ctx.fillRect(0, this.laneY(l) - LANE_GAP / 2, width, LANE + LANE_GAP);
  }
  var k = this.scale();
  var vs = this.vs;
  this.drawAxis(ctx, width, k, height);
  // Bars of a pixel or more as they are; thinner ones marked per pixel column and lane.
  var marks = [];
  for (l = 0; l < lanes; l++) marks.push(new Uint8Array(Math.ceil(width) + 1));
  var drawn = 0;
  var last = -1;
  for (var i = this.firstEndingAfter(vs); i < this.n; i++) {
    var x0 = (this.start[i] - vs) * k;
    if (x0 > width) break;
    var w = this.dur[i] * k;
    var lane = this.phase[i];
    var y = this.laneY(lane);
    drawn++;
    last = i;
    if (w >= 1) {
      ctx.fillStyle = PALETTE[lane % PALETTE.length];
      ctx.fillRect(x0, y, w > 4 ? w - 1 : w, LANE);
      if (this.bad[i]) { ctx.fillStyle = "#b91c1c"; ctx.fillRect(x0, y, Math.max(w - 1, 1), 3); }
    } else {
      var col = Math.max(0, Math.floor(x0));
      marks[lane][col] = this.bad[i] ? 2 : Math.max(marks[lane][col], 1);
    }
  }
  for (l = 0; l < lanes; l++) {
    var row = marks[l];
    for (var c = 0; c <= width; c++) {
      if (!row[c]) continue;
      var run = c;
      while (run + 1 <= width && row[run + 1]) run++;
      ctx.fillStyle = PALETTE[l % PALETTE.length];
      ctx.fillRect(c, this.laneY(l), run - c + 1, LANE);
      for (var f = c; f <= run; f++) if (row[f] === 2) { ctx.fillStyle = "#b91c1c"; ctx.fillRect(f, this.laneY(l), 1, 3); }
      c = run;
    }
  }
  ctx.strokeStyle = "#6e7781";
  ctx.setLineDash([3, 3]);
  this.breaks.forEach(function (b) {
    var x = (b - vs) * k;
    if (x >= 0 && x <= width) { ctx.beginPath(); ctx.moveTo(x + 0.5, AXIS); ctx.lineTo(x + 0.5, height); ctx.stroke(); }
  });
  ctx.setLineDash([]);
  if (this.selected >= 0 && this.selected < this.n) {
    var sx = (this.start[this.selected] - vs) * k;
    ctx.strokeStyle = "#1f2328";
    ctx.lineWidth = 2;
    ctx.strokeRect(sx - 1, this.laneY(this.phase[this.selected]) - 1, Math.max(this.dur[this.selected] * k, 1) + 2, LANE + 2);
    ctx.lineWidth = 1;
  }
  canvas.dataset.effects = String(this.n);
  canvas.dataset.drawn = String(drawn);
  canvas.dataset.scale = String(k);
  canvas.dataset.viewStart = String(this.vs);
  canvas.dataset.viewEnd = String(this.ve);
  this.drawnCount = drawn;
  this.lastDrawn = last;
  this.drawLanes();
  this.info.textContent = fmtInt(this.n) + " effects \u00b7 " + fmtDuration(this.totalMs) + " of work over " +
    fmtDuration(this.end) + (this.failures ? " \u00b7 " + fmtInt(this.failures) + " failed" : "") +
    (this.inexact ? " \u00b7 " + fmtInt(this.inexact) + " read by their most plausible reading" : "");
  hook.drawCount = (hook.drawCount || 0) + 1;
};

Timeline.prototype.drawAxis = function (ctx, width, k, height) {
  var steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000,
    300000, 600000, 900000, 1800000, 3600000, 7200000, 10800000, 21600000, 43200000, 86400000];
  var step = steps[steps.length - 1];
  for (var s = 0; s < steps.length; s++) if (steps[s] * k >= 90) { step = steps[s]; break; }
  ctx.fillStyle = "#656d76";
  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  ctx.strokeStyle = "#d8dee4";
  for (var t = Math.ceil(this.vs / step) * step; t <= this.ve; t += step) {
    var x = Math.round((t - this.vs) * k) + 0.5;
    ctx.beginPath(); ctx.moveTo(x, AXIS - 6); ctx.lineTo(x, height); ctx.stroke();
    ctx.fillText(fmtAxis(t), x + 3, AXIS / 2 - 1);
  }
};

Timeline.prototype.drawLanes = function () {
  if (this.laneCount === this.phases.length && this.legendAt === this.n) return;
  this.laneCount = this.phases.length;
  this.legendAt = this.n;
  clear(this.lanes);
  clear(this.legend);
  var self = this;
  this.phases.forEach(function (p, i) {
    var colour = PALETTE[i % PALETTE.length];
    add(self.lanes, h("div", { title: p, "data-lane": i }, h("span", { class: "swatch", style: { background: colour } }), p));
    add(self.legend, h("span", { class: "item" }, h("span", { class: "swatch", style: { background: colour } }),
      p + ": " + fmtInt(self.phaseCount[i]) + " effects, " + fmtDuration(self.phaseMs[i])));
  });
  if (!this.n) add(this.lanes, h("div", { class: "muted" }, "no effects yet"));
};

// The effect under (x, y), in CSS pixels of the canvas: in the lane under
// the pointer, within 3 pixels.
Timeline.prototype.pick = function (x, y) {
  var lane = Math.floor((y - AXIS + LANE_GAP / 2) / (LANE + LANE_GAP));
  if (lane < 0 || lane >= this.phases.length || this.n === 0) return -1;
  var k = this.scale();
  var t = this.vs + x / k;
  var slack = 3 / k;
  var best = -1, bestDist = Infinity, steps = 0;
  for (var i = this.firstEndingAfter(t - slack); i < this.n && this.start[i] <= t + slack && steps < 5000; i++, steps++) {
    if (this.phase[i] !== lane) continue;
    var d = t < this.start[i] ? this.start[i] - t : t > this.start[i] + this.dur[i] ? t - this.start[i] - this.dur[i] : 0;
    if (d < bestDist) { bestDist = d; best = i; }
    if (d === 0) break;
  }
  return best;
};

Timeline.prototype.effect = function (i) {
  var detail = this.strings[this.det[i]];
  var t = this.time[i];
  var ts = isFinite(t) ? new Date(t).toISOString() : "?";
  return {
    seq: this.seq[i], phase: this.phases[this.phase[i]], effect: this.strings[this.eff[i]],
    event: this.strings[this.evt[i]], detail: detail, ms: this.dur[i], ts: ts, failed: !!this.bad[i],
    line: this.seq[i] + " ts=" + ts + " phase=" + this.phases[this.phase[i]] + " effect=" +
      this.strings[this.eff[i]] + " event=" + this.strings[this.evt[i]] + (detail ? " " + detail : "") +
      " ms=" + this.dur[i]
  };
};

Timeline.prototype.showTip = function (i, x, y) {
  var tip = this.tip;
  if (i < 0) { tip.hidden = true; this.hoverIndex = -1; return; }
  this.hoverIndex = i;
  var e = this.effect(i);
  clear(tip);
  add(tip, [h("div", null, h("b", null, "#" + e.seq + " " + e.phase), "  " + fmtDuration(e.ms) + (e.failed ? "  \u2716 failed" : "")),
    h("div", null, e.effect + " \u2192 " + e.event), h("div", { class: "line" }, e.line)]);
  tip.dataset.seq = String(e.seq);
  tip.hidden = false;
  // Beside the pointer, inside the canvas: above it when below would leave the page section.
  var width = this.box.clientWidth;
  tip.style.left = Math.min(Math.max(0, x + 12), Math.max(0, width - tip.offsetWidth - 4)) + "px";
  var below = y + 14;
  tip.style.top = (below + tip.offsetHeight > this.box.clientHeight + 120 ? Math.max(-tip.offsetHeight, y - tip.offsetHeight - 10) : below) + "px";
};

Timeline.prototype.bind = function () {
  var self = this, canvas = this.canvas, drag = null;
  function point(ev) { var r = canvas.getBoundingClientRect(); return { x: ev.clientX - r.left, y: ev.clientY - r.top }; }
  canvas.addEventListener("mousemove", function (ev) {
    var p = point(ev);
    if (drag) {
      var dt = (drag.x - p.x) / self.scale();
      self.vs = drag.vs + dt; self.ve = drag.ve + dt;
      self.following = false;
      self.clampView();
      drag.moved = drag.moved || Math.abs(drag.x - p.x) > 3;
      self.schedule();
      return;
    }
    self.showTip(self.pick(p.x, p.y), p.x, p.y);
  });
  canvas.addEventListener("mouseleave", function () { self.showTip(-1); drag = null; });
  canvas.addEventListener("mousedown", function (ev) { var p = point(ev); drag = { x: p.x, vs: self.vs, ve: self.ve, moved: false }; });
  canvas.addEventListener("mouseup", function (ev) {
    var p = point(ev);
    var moved = drag && drag.moved;
    drag = null;
    if (moved) return;
    var i = self.pick(p.x, p.y);
    self.selected = i;
    self.schedule();
    self.onSelect(i);
  });
  canvas.addEventListener("dblclick", function () { self.fit(); self.draw(); });
  canvas.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var p = point(ev);
    self.zoom(ev.deltaY > 0 ? 1.25 : 0.8, p.x / self.width());
  }, { passive: false });
};

// The test and benchmark hook: geometry of every bar in CSS pixels of the canvas.
Timeline.prototype.hook = function () {
  var self = this;
  return {
    count: function () { return self.n; },
    phases: function () { return self.phases.slice(); },
    colour: function (lane) { return PALETTE[lane % PALETTE.length]; },
    fit: function () { self.fit(); self.draw(); },
    scale: function () { return self.scale(); },
    bars: function (from, to) {
      var k = self.scale(), out = [];
      for (var i = from || 0; i < Math.min(self.n, to === undefined ? self.n : to); i++) {
        out.push({ seq: self.seq[i], x: (self.start[i] - self.vs) * k, w: self.dur[i] * k, ms: self.dur[i],
          lane: self.phase[i], y: self.laneY(self.phase[i]), h: LANE, failed: !!self.bad[i] });
      }
      return out;
    },
    hovered: function () { return self.hoverIndex < 0 ? null : self.seq[self.hoverIndex]; },
    drawn: function () { return self.drawnCount; }
  };
};

// ---------------------------------------------------------------- log view

var ROW = 20;
var MAX_ROWS = 20000;
var PAGE = 300;

function LogView(opts) {
  var self = this;
  this.runId = opts.runId;
  this.path = opts.path;
  this.grouped = opts.grouped;
  this.data = opts.data;
  this.rows = [];
  this.head = 0;
  this.tail = 0;
  this.bof = true;
  this.eof = true;
  this.busy = false;
  this.levels = [];
  this.q = "";
  this.pool = [];
  this.selected = null;
  this.follow = h("input", { type: "checkbox", "aria-label": "Follow new lines" });
  this.follow.checked = !REPORT;
  this.status = h("span", { class: "muted" });
  this.search = h("input", { type: "search", placeholder: "Search" + (boot.redacted ? " (masked text)" : ""), "aria-label": "Search " + opts.path });
  var toolbar = h("div", { class: "toolbar" });
  if (opts.levels) {
    var chips = h("span", { class: "chips" });
    LEVELS.forEach(function (level) {
      var box = h("input", { type: "checkbox", value: level, "data-level": level });
      box.addEventListener("change", function () {
        self.levels = Array.prototype.slice.call(chips.querySelectorAll("input:checked")).map(function (b) { return b.value; });
        self.open();
      });
      add(chips, h("label", { class: "lvl-" + level }, box, level));
    });
    add(toolbar, [h("span", { class: "muted" }, "Levels"), chips]);
  }
  var timer = null;
  this.search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { self.q = self.search.value.toLowerCase(); self.open(); }, 250);
  });
  var start = h("button", null, "Start");
  var end = h("button", null, "End");
  start.addEventListener("click", function () { self.openStart(); });
  end.addEventListener("click", function () { self.open(); });
  add(toolbar, [this.search, start, end, REPORT ? null : h("label", null, this.follow, " follow"), this.status]);
  this.spacer = h("div", { class: "spacer" });
  this.empty = h("div", { class: "empty", hidden: true });
  this.viewport = h("div", { class: "viewport", tabindex: "0", "data-path": opts.path }, this.empty, this.spacer);
  this.detail = h("pre", { class: "block", hidden: true });
  this.el = h("div", { class: "logview", "data-path": opts.path }, toolbar, this.viewport, this.detail);
  this.viewport.addEventListener("scroll", function () { self.onScroll(); });
  hook.logs[opts.path] = {
    texts: function () { return self.rows.map(function (r) { return r.sep || r.text; }); },
    count: function () { return self.rows.length; },
    view: self
  };
}

LogView.prototype.url = function (params) {
  return "/api/runs/" + enc(this.runId) + "/lines?path=" + enc(this.path) + "&limit=" + PAGE +
    (this.levels.length ? "&level=" + enc(this.levels.join(",")) : "") +
    (this.q ? "&q=" + enc(this.q) : "") + params;
};

LogView.prototype.matches = function (e) {
  if (e.sep) return !this.q && !this.levels.length;
  if (this.levels.length) {
    var level = LEVELS.indexOf(e.level) >= 0 && e.level !== "OTHER" ? e.level : "OTHER";
    if (this.levels.indexOf(level) < 0) return false;
  }
  return !this.q || e.text.toLowerCase().indexOf(this.q) >= 0;
};

// Opens at the end, as tail does; in a report, shows what the report holds.
LogView.prototype.open = function () {
  var self = this;
  this.selected = null;
  this.detail.hidden = true;
  if (this.data) {
    this.rows = this.data.entries.filter(this.matches, this);
    this.bof = this.eof = true;
    this.describe();
    this.render();
    this.viewport.scrollTop = this.viewport.scrollHeight;
    return Promise.resolve();
  }
  this.busy = true;
  this.status.textContent = "loading\u2026";
  return api(this.url("&dir=backward")).then(function (page) {
    self.rows = page.entries;
    self.head = page.next;
    self.bof = page.bof;
    self.tail = page.end;
    self.eof = true;
    self.size = page.size;
    self.busy = false;
    self.describe();
    self.render();
    self.viewport.scrollTop = self.viewport.scrollHeight;
    self.render();
    self.settle();
  }).catch(function (error) { self.busy = false; self.status.textContent = String(error.message || error); });
};

LogView.prototype.openStart = function () {
  var self = this;
  if (this.data) { this.viewport.scrollTop = 0; this.render(); return Promise.resolve(); }
  this.busy = true;
  return api(this.url("&dir=forward&at=0")).then(function (page) {
    self.rows = page.entries;
    self.head = 0;
    self.bof = true;
    self.tail = page.next;
    self.eof = page.eof;
    self.busy = false;
    self.describe();
    self.viewport.scrollTop = 0;
    self.render();
  }).catch(function (error) { self.busy = false; self.status.textContent = String(error.message || error); });
};

// Called when a load ends: lines that came meanwhile are read now.
LogView.prototype.settle = function () {
  if (!this.pendingLive || this.busy) return;
  this.pendingLive = false;
  this.eof = false;
  this.loadAfter();
};

LogView.prototype.describe = function () {
  var text = fmtInt(this.rows.length) + (this.q || this.levels.length ? " matching" : "") + " entries loaded";
  if (!this.bof) text += "; scroll up for more";
  if (this.size !== undefined) text += " \u00b7 " + fmtBytes(this.size);
  this.status.textContent = text;
  var none = this.rows.length === 0;
  this.empty.hidden = !none;
  this.empty.textContent = none ? (this.q || this.levels.length ? (this.bof ? "No entry matches." : "No match in the part read; scroll up to search further.") : "This log is empty.") : "";
};

LogView.prototype.loadBefore = function () {
  var self = this;
  if (this.bof || this.busy || this.data) return;
  this.busy = true;
  api(this.url("&dir=backward&before=" + this.head)).then(function (page) {
    var fresh = page.entries.filter(function (e) { return e.e <= self.head; });
    self.rows = fresh.concat(self.rows);
    self.head = page.next;
    self.bof = page.bof;
    self.viewport.scrollTop += fresh.length * ROW;
    if (self.rows.length > MAX_ROWS) {
      self.rows.length = MAX_ROWS;
      self.tail = self.rows[self.rows.length - 1].e;
      self.eof = false;
    }
    self.busy = false;
    self.describe();
    self.render();
  }).catch(function () { self.busy = false; });
};

LogView.prototype.loadAfter = function () {
  var self = this;
  if (this.eof || this.busy || this.data) return;
  this.busy = true;
  api(this.url("&dir=forward&at=" + this.tail)).then(function (page) {
    self.append(page.entries, self.tail);
    self.tail = page.next;
    self.eof = page.eof;
    self.busy = false;
    self.describe();
    self.render();
    self.settle();
  }).catch(function () { self.busy = false; });
};

LogView.prototype.append = function (entries, from) {
  // A partial last line is read again once it ends: drop the old copy.
  while (this.rows.length && this.rows[this.rows.length - 1].o >= from) this.rows.pop();
  for (var i = 0; i < entries.length; i++) this.rows.push(entries[i]);
  if (this.rows.length > MAX_ROWS) {
    var drop = this.rows.length - MAX_ROWS;
    this.rows.splice(0, drop);
    this.head = this.rows[0].o;
    this.bof = false;
    this.viewport.scrollTop = Math.max(0, this.viewport.scrollTop - drop * ROW);
  }
};

// New lines from the live stream, when this view shows the end of the file.
LogView.prototype.live = function (d) {
  if (this.data) return;
  // Busy loading: look again once done (the load may or may not hold these lines).
  if (this.busy) { this.pendingLive = true; return; }
  if (!this.eof) return;
  if (d.from > this.tail) { this.eof = false; this.loadAfter(); return; }
  var atBottom = this.viewport.scrollTop + this.viewport.clientHeight >= this.viewport.scrollHeight - ROW * 2;
  var tail = this.tail;
  var fresh = d.entries.filter(function (e) { return e.o >= tail; }).filter(this.matches, this);
  this.append(fresh, tail);
  this.tail = Math.max(this.tail, d.next);
  this.describe();
  this.render();
  if (this.follow.checked && atBottom) { this.viewport.scrollTop = this.viewport.scrollHeight; this.render(); }
};

LogView.prototype.onScroll = function () {
  var v = this.viewport;
  if (v.scrollTop < ROW * 20) this.loadBefore();
  if (v.scrollTop + v.clientHeight > v.scrollHeight - ROW * 20) this.loadAfter();
  this.render();
};

LogView.prototype.render = function () {
  var self = this;
  var n = this.rows.length;
  this.spacer.style.height = (n * ROW) + "px";
  var top = this.viewport.scrollTop;
  var height = this.viewport.clientHeight || 420;
  var first = Math.max(0, Math.floor(top / ROW) - 10);
  var last = Math.min(n, Math.ceil((top + height) / ROW) + 10);
  while (this.pool.length < last - first) {
    var el = h("div", { class: "row" });
    el.addEventListener("click", function (ev) { self.pick(ev.currentTarget.row); });
    this.spacer.appendChild(el);
    this.pool.push(el);
  }
  for (var k = 0; k < this.pool.length; k++) {
    var row = this.pool[k];
    var i = first + k;
    if (i >= last) { row.hidden = true; row.row = null; continue; }
    row.hidden = false;
    row.style.top = (i * ROW) + "px";
    var entry = this.rows[i];
    if (row.row === entry) continue;
    row.row = entry;
    clear(row);
    if (entry.sep) {
      row.className = "row sep";
      row.textContent = entry.sep;
      continue;
    }
    row.className = "row" + (entry.level ? " l-" + entry.level : "") + (entry === this.selected ? " selected" : "");
    row.dataset.offset = String(entry.o);
    if (entry.ts) add(row, h("span", { class: "ts" }, entry.ts));
    if (entry.level) add(row, h("span", { class: "lvl lvl-" + entry.level }, entry.level));
    var lines = entry.text.split("\n");
    add(row, lines[0] + (lines.length > 1 ? "  \u23ce +" + (lines.length - 1) + " lines" : "") +
      (entry.cut ? "  \u2026 " + fmtBytes(entry.cut) + " more" : ""));
  }
};

LogView.prototype.pick = function (entry) {
  if (!entry || entry.sep) return;
  this.selected = entry;
  this.detail.hidden = false;
  this.detail.textContent = (entry.ts ? entry.ts + " " : "") + (entry.level ? "[" + entry.level + "] " : "") + entry.text +
    (entry.cut ? "\n\u2026 " + fmtBytes(entry.cut) + " of this entry not shown" + (REPORT ? "" : " (open the raw file)") : "");
  this.pool.forEach(function (el) { el.row = null; });
  this.render();
};

// ---------------------------------------------------------------- compare

function renderCompare(a, b) {
  hook.page = "compare";
  document.title = "runlog: compare";
  var root = h("main");
  app.appendChild(topBar([h("a", { href: "/" }, "Runs"), h("span", null, "Compare")]));
  app.appendChild(root);
  add(root, h("p", { class: "muted" }, "Reading both event logs\u2026"));
  api("/api/compare?a=" + enc(a) + "&b=" + enc(b)).then(function (c) {
    clear(root);
    function side(s, label) {
      return h("section", { class: "panel", "data-side": label },
        h("h2", null, label + ": ", h("a", { class: "mono", href: runHref(s.run.id) }, s.run.id), " ", badge(s.run.status)),
        h("dl", { class: "meta" }, h("dt", null, "Started"), h("dd", null, fmtTime(s.run.startedAt)),
          h("dt", null, "Effects"), h("dd", { "data-k": "effects" }, fmtInt(s.effects)),
          h("dt", null, "Work"), h("dd", null, fmtDuration(s.totalMs)),
          h("dt", null, "Wall time"), h("dd", null, fmtDuration(s.wallMs))),
        s.cut ? h("p", { class: "note" }, "Only the first " + fmtBytes(512 * 1024 * 1024) + " of its event log were read (" + fmtBytes(s.cut) + " left).") : null,
        s.invalid ? h("p", { class: "note" }, s.invalid + " unreadable line(s) skipped.") : null);
    }
    add(root, h("div", { class: "cols" }, side(c.a, "A"), side(c.b, "B")));
    var d = c.divergence;
    function eff(e) { return e ? "#" + e.seq + " " + e.phase + ": " + e.effect + " \u2192 " + e.event + " (" + fmtDuration(e.ms) + ")" : "(the sequence has ended)"; }
    add(root, h("section", { class: "panel", id: "divergence" }, h("h2", null, "First divergence"),
      d ? [h("p", null, "The effect sequences differ first at position " + fmtInt(d.index) + ":"),
        h("pre", { class: "block" }, "A  " + eff(d.a) + "\nB  " + eff(d.b))]
        : h("p", null, "Both runs executed the same sequence of effects (" + fmtInt(c.a.effects) + ").")));
    var phases = [];
    c.a.phases.concat(c.b.phases).forEach(function (p) { if (phases.indexOf(p.phase) < 0) phases.push(p.phase); });
    function find(list, name) { for (var i = 0; i < list.length; i++) if (list[i].phase === name) return list[i]; return { count: 0, ms: 0 }; }
    var body = h("tbody");
    phases.forEach(function (name) {
      var x = find(c.a.phases, name), y = find(c.b.phases, name), delta = y.ms - x.ms;
      body.appendChild(h("tr", null, h("td", null, name), h("td", { class: "num" }, fmtInt(x.count)), h("td", { class: "num" }, fmtInt(y.count)),
        h("td", { class: "num" }, fmtDuration(x.ms)), h("td", { class: "num" }, fmtDuration(y.ms)),
        h("td", { class: "num " + (delta > 0 ? "delta-up" : delta < 0 ? "delta-down" : "") }, (delta > 0 ? "+" : delta < 0 ? "\u2212" : "") + fmtDuration(Math.abs(delta)))));
    });
    body.appendChild(h("tr", null, h("th", null, "Total"), h("th", { class: "num" }, fmtInt(c.a.effects)), h("th", { class: "num" }, fmtInt(c.b.effects)),
      h("th", { class: "num" }, fmtDuration(c.a.totalMs)), h("th", { class: "num" }, fmtDuration(c.b.totalMs)), h("th", null, "")));
    add(root, h("section", { class: "panel" }, h("h2", null, "Per phase"), h("table", { id: "phases" },
      h("thead", null, h("tr", null, ["Phase", "A effects", "B effects", "A time", "B time", "B \u2212 A"].map(function (t, i) { return h("th", { class: i ? "num" : null }, t); }))), body)));
    hook.ready = true;
  }).catch(function (error) { clear(root); fail(root, error); hook.ready = true; });
}

main();
})();
`;
