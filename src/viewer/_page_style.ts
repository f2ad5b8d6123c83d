// The page's style sheet: inlined in the page and allowed by its hash, no
// external font, image or import (the report opens from file://). Every
// colour is a variable, set again for `prefers-color-scheme: dark`; the
// timeline's canvas reads its own (`--tl-*`) from here.

/** The CSS of the viewer's pages. */
export const PAGE_STYLE = String.raw`
:root {
  color-scheme: light dark;
  --fg: #1f2328; --muted: #656d76; --line: #d8dee4; --bg: #ffffff; --soft: #f6f8fa;
  --hover: #eef1f4; --row-hover: #f6f8fa; --selected: #ddf4ff; --error-row: #fff5f5;
  --accent: #0969da; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --run: #0550ae;
  --crash: #8250df; --idle: #57606a; --unknown: #8c959f; --badge-fg: #ffffff;
  --note-bg: #fff8c5; --note-line: #eedc82; --problem-bg: #ffebe9; --problem-line: #ffcecb;
  --tip-bg: #1f2328; --tip-fg: #ffffff; --tip-muted: #d0d7de;
  --msg-user: #f3f7ff; --msg-tool: #f6f8fa; --msg-error: #fff5f5;
  --tl-bg: #ffffff; --tl-lane-odd: #f6f8fa; --tl-lane-even: #fbfcfd; --tl-failure-lane: #fff5f5;
  --tl-failure: #b91c1c; --tl-pause: #6e7781; --tl-selected: #1f2328; --tl-axis-text: #656d76;
  --tl-axis-line: #d8dee4; --tl-crash: #8250df; --tl-resume: #0969da;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --bg: #0d1117; --soft: #151b23;
    --hover: #212830; --row-hover: #161c24; --selected: #12304f; --error-row: #2a1215;
    --accent: #4493f8; --ok: #3fb950; --bad: #f85149; --warn: #d29922; --run: #58a6ff;
    --crash: #ab7df8; --idle: #6e7681; --unknown: #6e7681; --badge-fg: #0d1117;
    --note-bg: #2c2611; --note-line: #6b5613; --problem-bg: #2d1517; --problem-line: #6e2a2e;
    --tip-bg: #2d333b; --tip-fg: #e6edf3; --tip-muted: #adbac7;
    --msg-user: #111d2e; --msg-tool: #151b23; --msg-error: #2a1215;
    --tl-bg: #0d1117; --tl-lane-odd: #151b23; --tl-lane-even: #11161d;
    --tl-failure-lane: #231315; --tl-failure: #ff6b61; --tl-pause: #7d8590;
    --tl-selected: #f0f6fc; --tl-axis-text: #9198a1; --tl-axis-line: #30363d;
    --tl-crash: #bc8cff; --tl-resume: #58a6ff;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html, body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
button, select, input { font: inherit; color: var(--fg); }
button { border: 1px solid var(--line); background: var(--soft); border-radius: 6px;
  padding: 2px 10px; cursor: pointer; }
button:hover:not(:disabled) { background: var(--hover); }
button:disabled { opacity: .5; cursor: default; }
button.linkish { border: none; background: none; color: var(--accent); padding: 0; text-align: left; }
button[aria-pressed=true] { background: var(--selected); border-color: var(--accent); }
input[type=search] { border: 1px solid var(--line); border-radius: 6px; padding: 2px 8px;
  min-width: 0; width: 16em; max-width: 100%; background: var(--bg); }
select { border: 1px solid var(--line); border-radius: 6px; padding: 2px 6px; background: var(--bg);
  max-width: 100%; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 12px; padding: 10px 20px;
  border-bottom: 1px solid var(--line); background: var(--soft); }
header.top .brand { font-weight: 700; font-size: 16px; color: var(--fg); }
header.top .crumb { color: var(--muted); }
header.top .spacer { flex: 1; }
header.top .mono { overflow-wrap: anywhere; }
.pill { font-size: 12px; border-radius: 10px; padding: 1px 8px; border: 1px solid var(--line); color: var(--muted); }
.pill.off { color: #fff; background: var(--bad); border-color: var(--bad); }
main { padding: 16px 20px 40px; max-width: 1600px; }
h1 { font-size: 20px; margin: 0 8px 0 0; font-family: var(--mono); font-weight: 600; overflow-wrap: anywhere; }
h2 { font-size: 15px; margin: 0 0 8px; }
h3 { font-size: 14px; margin: 0 0 6px; }
.muted { color: var(--muted); }
.mono { font-family: var(--mono); }
.nowrap { white-space: nowrap; }
.error { color: var(--bad); white-space: pre-wrap; }
.note { margin: 4px 0; padding: 6px 10px; background: var(--note-bg); border: 1px solid var(--note-line); border-radius: 6px; }
.problem { margin: 4px 0; padding: 6px 10px; background: var(--problem-bg); border: 1px solid var(--problem-line); border-radius: 6px; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; margin: 0 0 10px; }
.badge { display: inline-block; font-size: 12px; font-weight: 600; border-radius: 10px; padding: 1px 8px;
  color: var(--badge-fg); background: var(--muted); text-transform: lowercase; white-space: nowrap; }
.st-running { background: var(--run); } .st-idle { background: var(--idle); }
.st-succeeded { background: var(--ok); }
.st-failed { background: var(--bad); } .st-interrupted { background: var(--warn); }
.st-crashed { background: var(--crash); } .st-unknown { background: var(--unknown); }
.live { color: var(--run); font-weight: 600; white-space: nowrap; }
.table-scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; background: var(--soft); white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.cmd { font-family: var(--mono); font-size: 12px; max-width: 420px; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
tr:hover td { background: var(--row-hover); }
.run-head { display: flex; flex-direction: column; gap: 10px; margin-bottom: 14px; }
.run-title { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
dl.meta { display: grid; grid-template-columns: max-content minmax(0, 1fr) max-content minmax(0, 1fr);
  gap: 3px 14px; margin: 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; min-width: 0; }
dl.meta dd.mono { font-size: 12px; }
dl.meta dd.failures { color: var(--bad); font-weight: 600; }
section.panel { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; margin: 0 0 14px; min-width: 0; }
details.sessions summary { cursor: pointer; color: var(--muted); }
.timeline-wrap { position: relative; display: flex; border: 1px solid var(--line); border-radius: 6px;
  user-select: none; }
.lanes { flex: 0 0 150px; min-width: 0; border-right: 1px solid var(--line); background: var(--soft); padding-top: 20px; }
.lanes div { height: 22px; line-height: 18px; padding: 0 8px 4px; font-size: 12px; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; display: flex; align-items: center; gap: 6px; }
.lanes .failure-lane { color: var(--bad); font-weight: 600; }
.lanes .failure-lane.muted { color: var(--muted); font-weight: normal; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; flex: none; }
.failure-swatch { background: var(--tl-failure); clip-path: polygon(0 0, 100% 0, 50% 100%); }
.canvas-box { position: relative; flex: 1; min-width: 0; }
canvas.timeline { display: block; width: 100%; cursor: crosshair; }
.tooltip { position: absolute; pointer-events: none; z-index: 5; max-width: min(560px, 90vw); background: var(--tip-bg);
  color: var(--tip-fg); border-radius: 6px; padding: 6px 8px; font-size: 12px; box-shadow: 0 4px 14px rgba(0,0,0,.25); }
.tooltip .line { font-family: var(--mono); white-space: pre-wrap; overflow-wrap: anywhere; color: var(--tip-muted); margin-top: 3px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; color: var(--muted); margin: 6px 0 0; }
.legend span.item { display: inline-flex; align-items: center; gap: 5px; }
.effect-panel { margin-top: 10px; padding: 10px 12px; background: var(--soft); border-radius: 6px; }
.effect-panel .failed-tag { color: var(--bad); margin-left: 10px; font-weight: 600; }
.effect-panel pre, pre.block, pre.line { font-family: var(--mono); font-size: 12px; white-space: pre-wrap;
  overflow-wrap: anywhere; margin: 6px 0; background: var(--bg); border: 1px solid var(--line);
  border-radius: 6px; padding: 6px 8px; max-height: 320px; overflow: auto; }
.effect-panel .files { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
.effect-panel .files button { font-family: var(--mono); font-size: 12px; overflow-wrap: anywhere; text-align: left; }
.tabs { display: flex; flex-wrap: wrap; gap: 2px; border-bottom: 1px solid var(--line); margin-bottom: 10px; }
.tabs button { border: 1px solid transparent; border-bottom: none; border-radius: 6px 6px 0 0;
  background: none; padding: 5px 14px; margin-bottom: -1px; }
.tabs button[aria-selected=true] { border-color: var(--line); background: var(--bg); font-weight: 600; }
.files-layout { display: grid; grid-template-columns: minmax(260px, 360px) minmax(0, 1fr); gap: 14px; align-items: start; }
.file-list { min-width: 0; border: 1px solid var(--line); border-radius: 6px; }
.file-list-head { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; padding: 8px;
  border-bottom: 1px solid var(--line); background: var(--soft); border-radius: 6px 6px 0 0; }
.file-list-head input[type=search] { flex: 1 1 10em; width: auto; }
.list-toggle { display: none; }
.file-groups { max-height: 560px; overflow: auto; }
.file-group h4 { position: sticky; top: 0; margin: 0; padding: 4px 8px; font-size: 12px; font-weight: 600;
  background: var(--soft); border-bottom: 1px solid var(--line); display: flex; gap: 8px; text-transform: uppercase;
  letter-spacing: .03em; z-index: 1; }
.file-group ul { list-style: none; margin: 0; padding: 0; }
.file-row { display: flex; align-items: baseline; gap: 8px; padding: 2px 8px; font-size: 13px; }
.file-row:hover { background: var(--row-hover); }
.file-row[aria-current=true] { background: var(--selected); }
.file-row .name { flex: 1 1 auto; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-size: 12px; }
.file-row .size { color: var(--muted); font-size: 12px; white-space: nowrap; font-variant-numeric: tabular-nums; }
.file-row .raw, .file-row .why { font-size: 12px; white-space: nowrap; }
.file-row.skipped .why { white-space: normal; }
.file-groups .empty, .file-view .empty { padding: 8px; margin: 0; }
.file-view { min-width: 0; }
.file-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 12px; margin: 0 0 8px; }
.file-head h3 { margin: 0; overflow-wrap: anywhere; }
.logview .viewport { position: relative; height: 420px; overflow: auto; border: 1px solid var(--line);
  border-radius: 6px; font-family: var(--mono); font-size: 12px; background: var(--bg); }
.file-view .logview .viewport { height: 520px; }
.logview .spacer { position: relative; width: 100%; }
.logview .row { position: absolute; left: 0; right: 0; height: 20px; line-height: 20px; padding: 0 8px;
  white-space: pre; overflow: hidden; text-overflow: ellipsis; cursor: pointer; }
.logview .row:hover { background: var(--row-hover); }
.logview .row.selected { background: var(--selected); }
.logview .row.sep { color: var(--muted); font-style: italic; background: var(--note-bg); cursor: default; }
.logview .ts { color: var(--muted); margin-right: 8px; }
.logview .lvl { display: inline-block; min-width: 5.2em; font-weight: 600; }
.lvl-ERROR { color: var(--bad); } .lvl-WARN { color: var(--warn); } .lvl-OK { color: var(--ok); }
.lvl-STEP { color: var(--crash); } .lvl-INFO { color: var(--run); }
.row.l-ERROR { background: var(--error-row); }
.logview .empty { padding: 12px; color: var(--muted); font-family: system-ui, sans-serif; }
.chips { display: inline-flex; gap: 4px; flex-wrap: wrap; }
.chips label { border: 1px solid var(--line); border-radius: 12px; padding: 0 8px; font-size: 12px; cursor: pointer; }
.chips input { margin: 0 4px 0 0; vertical-align: -1px; }
.segmented { display: inline-flex; }
.segmented button { border-radius: 0; }
.segmented button:first-child { border-radius: 6px 0 0 6px; }
.segmented button:last-child { border-radius: 0 6px 6px 0; margin-left: -1px; }
.messages { max-height: 560px; overflow: auto; display: flex; flex-direction: column; gap: 8px;
  padding: 2px; }
.messages .empty { margin: 8px; }
.messages-box .more { margin-top: 8px; }
.message { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; background: var(--bg); min-width: 0; }
.message header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 10px; margin-bottom: 4px; font-size: 12px; }
.message .role { font-weight: 700; text-transform: lowercase; }
.message.role-assistant .role { color: var(--accent); }
.message.role-user { background: var(--msg-user); }
.message.role-user .role { color: var(--ok); }
.message.role-system .role, .message.role-result .role { color: var(--crash); }
.message.role-error { background: var(--msg-error); }
.message.role-error .role { color: var(--bad); }
.message .block { margin: 4px 0; min-width: 0; }
.message .block.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.message .block.thinking summary, .message .block.tool-result summary { cursor: pointer; color: var(--muted); font-size: 12px; }
.message .block.thinking .body { white-space: pre-wrap; overflow-wrap: anywhere; color: var(--muted); font-style: italic; }
.message .block.tool-call { background: var(--msg-tool); border: 1px solid var(--line); border-radius: 6px; padding: 4px 8px; }
.message .tool-head { display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: baseline; font-size: 12px; }
.message .tool-label { color: var(--muted); text-transform: uppercase; font-size: 11px; letter-spacing: .03em; }
.message .tool-name { font-weight: 700; }
.message pre { font-family: var(--mono); font-size: 12px; white-space: pre-wrap; overflow-wrap: anywhere; margin: 4px 0 0;
  max-height: 320px; overflow: auto; }
.message .block.tool-result.error summary { color: var(--bad); }
.message .cut { font-size: 12px; }
.cols { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 14px; }
.compare-timeline { margin: 10px 0 14px; }
.compare-timeline h2 { font-family: var(--mono); font-size: 13px; overflow-wrap: anywhere; }
.delta-up { color: var(--bad); } .delta-down { color: var(--ok); }
@media (max-width: 1000px) {
  .files-layout { grid-template-columns: minmax(0, 1fr); }
  .files-layout.has-file .list-toggle { display: inline-block; }
  .files-layout.has-file:not(.list-open) .file-groups { display: none; }
  .files-layout.has-file:not(.list-open) .file-list-head { border-bottom: none; border-radius: 6px; }
}
@media (max-width: 900px) {
  dl.meta { grid-template-columns: max-content minmax(0, 1fr); }
  .cols { grid-template-columns: minmax(0, 1fr); }
  main { padding: 12px 12px 32px; }
  header.top { padding: 8px 12px; }
  .lanes { flex-basis: 118px; }
}
`;
