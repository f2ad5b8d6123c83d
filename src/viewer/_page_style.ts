// The page's style sheet: inlined in the page and allowed by its hash, no
// external font, image or import (the report opens from file://).

/** The CSS of the viewer's pages. */
export const PAGE_STYLE = String.raw`
:root {
  --fg: #1f2328; --muted: #656d76; --line: #d8dee4; --bg: #ffffff; --soft: #f6f8fa;
  --accent: #0969da; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --run: #0550ae;
  --crash: #8250df; --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
button, select, input { font: inherit; }
button { border: 1px solid var(--line); background: var(--soft); border-radius: 6px;
  padding: 2px 10px; cursor: pointer; color: var(--fg); }
button:hover:not(:disabled) { background: #eef1f4; }
button:disabled { opacity: .5; cursor: default; }
button.linkish { border: none; background: none; color: var(--accent); padding: 0; }
input[type=search] { border: 1px solid var(--line); border-radius: 6px; padding: 2px 8px; min-width: 16em; }
select { border: 1px solid var(--line); border-radius: 6px; padding: 2px 6px; background: var(--bg); }
header.top { display: flex; align-items: center; gap: 12px; padding: 10px 20px;
  border-bottom: 1px solid var(--line); background: var(--soft); }
header.top .brand { font-weight: 700; font-size: 16px; color: var(--fg); }
header.top .crumb { color: var(--muted); }
header.top .spacer { flex: 1; }
.pill { font-size: 12px; border-radius: 10px; padding: 1px 8px; border: 1px solid var(--line); color: var(--muted); }
.pill.off { color: #fff; background: var(--bad); border-color: var(--bad); }
main { padding: 16px 20px 40px; max-width: 1400px; }
h1 { font-size: 20px; margin: 0 8px 0 0; font-family: var(--mono); font-weight: 600; }
h2 { font-size: 15px; margin: 0 0 8px; }
h3 { font-size: 14px; margin: 0 0 6px; }
.muted { color: var(--muted); }
.mono { font-family: var(--mono); }
.error { color: var(--bad); white-space: pre-wrap; }
.note { margin: 4px 0; padding: 6px 10px; background: #fff8c5; border: 1px solid #eedc82; border-radius: 6px; }
.problem { margin: 4px 0; padding: 6px 10px; background: #ffebe9; border: 1px solid #ffcecb; border-radius: 6px; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; margin: 0 0 10px; }
.badge { display: inline-block; font-size: 12px; font-weight: 600; border-radius: 10px; padding: 1px 8px;
  color: #fff; background: var(--muted); text-transform: lowercase; }
.st-running { background: var(--run); } .st-succeeded { background: var(--ok); }
.st-failed { background: var(--bad); } .st-interrupted { background: var(--warn); }
.st-crashed { background: var(--crash); } .st-unknown { background: #8c959f; }
.live { color: var(--run); font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; background: var(--soft); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.cmd { font-family: var(--mono); font-size: 12px; max-width: 420px; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
tr:hover td { background: #fafbfc; }
.run-head { display: flex; flex-direction: column; gap: 10px; margin-bottom: 14px; }
.run-title { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
dl.meta { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 3px 14px; margin: 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
dl.meta dd.mono { font-size: 12px; }
section.panel { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; margin: 0 0 14px; }
details.sessions summary { cursor: pointer; color: var(--muted); }
.timeline-wrap { position: relative; display: flex; border: 1px solid var(--line); border-radius: 6px;
  user-select: none; }
.lanes { flex: 0 0 150px; border-right: 1px solid var(--line); background: var(--soft); padding-top: 22px; }
.lanes div { height: 22px; line-height: 18px; padding: 0 8px 4px; font-size: 12px; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; flex: none; }
.canvas-box { position: relative; flex: 1; min-width: 0; }
canvas.timeline { display: block; width: 100%; cursor: crosshair; }
.tooltip { position: absolute; pointer-events: none; z-index: 5; max-width: 560px; background: #1f2328;
  color: #fff; border-radius: 6px; padding: 6px 8px; font-size: 12px; box-shadow: 0 4px 14px rgba(0,0,0,.25); }
.tooltip .line { font-family: var(--mono); white-space: pre-wrap; overflow-wrap: anywhere; color: #d0d7de; margin-top: 3px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; color: var(--muted); margin: 6px 0 0; }
.legend span.item { display: inline-flex; align-items: center; gap: 5px; }
.effect-panel { margin-top: 10px; padding: 10px 12px; background: var(--soft); border-radius: 6px; }
.effect-panel pre, pre.block { font-family: var(--mono); font-size: 12px; white-space: pre-wrap;
  overflow-wrap: anywhere; margin: 6px 0; background: var(--bg); border: 1px solid var(--line);
  border-radius: 6px; padding: 6px 8px; max-height: 320px; overflow: auto; }
.effect-panel .files { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
.tabs { display: flex; gap: 2px; border-bottom: 1px solid var(--line); margin-bottom: 10px; }
.tabs button { border: 1px solid transparent; border-bottom: none; border-radius: 6px 6px 0 0;
  background: none; padding: 5px 14px; margin-bottom: -1px; }
.tabs button[aria-selected=true] { border-color: var(--line); background: var(--bg); font-weight: 600; }
.logview .viewport { position: relative; height: 420px; overflow: auto; border: 1px solid var(--line);
  border-radius: 6px; font-family: var(--mono); font-size: 12px; background: var(--bg); }
.logview .spacer { position: relative; width: 100%; }
.logview .row { position: absolute; left: 0; right: 0; height: 20px; line-height: 20px; padding: 0 8px;
  white-space: pre; overflow: hidden; text-overflow: ellipsis; cursor: pointer; }
.logview .row:hover { background: #f3f6f9; }
.logview .row.selected { background: #ddf4ff; }
.logview .row.sep { color: var(--muted); font-style: italic; background: #fff8c5; cursor: default; }
.logview .ts { color: var(--muted); margin-right: 8px; }
.logview .lvl { display: inline-block; min-width: 5.2em; font-weight: 600; }
.lvl-ERROR { color: var(--bad); } .lvl-WARN { color: var(--warn); } .lvl-OK { color: var(--ok); }
.lvl-STEP { color: var(--crash); } .lvl-INFO { color: var(--run); }
.row.l-ERROR { background: #fff5f5; }
.logview .empty { padding: 12px; color: var(--muted); font-family: system-ui, sans-serif; }
.chips { display: inline-flex; gap: 4px; flex-wrap: wrap; }
.chips label { border: 1px solid var(--line); border-radius: 12px; padding: 0 8px; font-size: 12px; cursor: pointer; }
.chips input { margin: 0 4px 0 0; vertical-align: -1px; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
.delta-up { color: var(--bad); } .delta-down { color: var(--ok); }
@media (max-width: 900px) { dl.meta { grid-template-columns: max-content 1fr; } .cols { grid-template-columns: 1fr; } }
`;
