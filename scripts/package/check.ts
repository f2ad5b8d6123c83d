// Release check of the npm package that JSR serves to Node users.
//
//   node scripts/package/check.ts [--source worktree|head] [--keep] [--json FILE]
//                                 [--tools-dir DIR] [--install-tools]
//
// 1. Builds the npm tarball the way JSR does (`deno pack`: JavaScript plus
//    .d.ts from Deno's fast-check types), checks its package.json against what
//    JSR serves (`@jsr/<scope>__<name>`, "type": "module", exports with
//    `types` and `default` only), and rewrites it to exactly that shape.
// 2. Installs it offline into throwaway consumer projects and runs the
//    programs of scripts/package/consumers/ under Node 20, 22 and 24 (ESM and
//    require()), Bun and Deno, and type-checks a TypeScript consumer without
//    @types/node (module nodenext and bundler, lib es2022 and default).
// 3. Runs publint and `attw --profile esm-only` on the tarball, and
//    `deno publish --dry-run` on the source.
// 4. Prints a table and exits non-zero on any failure.
//
// The supported floor is Node 20.19 and 22.12 (require() of ES modules
// without a flag); releases below it fail require() with ERR_REQUIRE_ESM.
// --source head checks the last commit (a git archive), the default the work
// tree as it is. --keep keeps the temp dir with the projects and tarballs.
//
// The tools (their versions and paths) are in tools.ts; `--install-tools`
// installs them into the tools dir. Runs one thing at a time, at low
// priority. Nothing in the repository is written.
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { setPriority, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import {
  missingTools,
  REPO,
  runtimeColumns,
  type Tool,
  TOOL_PACKAGES,
  toolsDir,
  toolset,
} from "./tools.ts";

const CONSUMERS = join(REPO, "scripts/package/consumers");

const { values: flags } = parseArgs({
  options: {
    "source": { type: "string", default: "worktree" },
    "keep": { type: "boolean", default: false },
    "json": { type: "string" },
    "tools-dir": { type: "string" },
    "install-tools": { type: "boolean", default: false },
  },
});
if (flags.source !== "worktree" && flags.source !== "head") {
  throw new Error(`--source must be worktree or head, not ${flags.source}`);
}

// ---------------------------------------------------------------- running

interface Ran {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

const PATH = `${join(REPO, "node_modules/.bin")}:${process.env.PATH}`;
const ENV = { ...process.env, PATH, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", RUST_BACKTRACE: "0" };

function run(tool: Tool, args: string[], cwd: string, timeoutMs = 180_000): Ran {
  const started = Date.now();
  const result = spawnSync(tool.command, [...tool.prefix, ...args], {
    cwd,
    env: ENV,
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  const err = result.error ? `${result.stderr ?? ""}\n${result.error.message}` : result.stderr;
  return {
    code: result.status,
    out: result.stdout ?? "",
    err: err ?? "",
    ms: Date.now() - started,
  };
}

function mustRun(tool: Tool, args: string[], cwd: string): Ran {
  const ran = run(tool, args, cwd);
  if (ran.code !== 0) {
    throw new Error(`${tool.name} ${args.join(" ")} (in ${cwd}) failed:\n${ran.out}${ran.err}`);
  }
  return ran;
}

const lines = (text: string) => text.split("\n").map((l) => l.trimEnd()).filter((l) => l !== "");

// --------------------------------------------------------------- the tools

const TOOLS_DIR = toolsDir(flags["tools-dir"]);
const tools = toolset(TOOLS_DIR);
const npm: Tool = tools.npm;
if (flags["install-tools"]) {
  mkdirSync(TOOLS_DIR, { recursive: true });
  writeFileSync(
    join(TOOLS_DIR, "package.json"),
    JSON.stringify(
      { name: "runlog-package-tools", private: true, devDependencies: TOOL_PACKAGES },
      null,
      2,
    ) + "\n",
  );
  console.log(`installing into ${TOOLS_DIR}: ${Object.values(TOOL_PACKAGES).join(", ")}`);
  mustRun(npm, ["install", "--no-audit", "--no-fund"], TOOLS_DIR);
}
const missing = missingTools(tools);
if (missing.length > 0) {
  console.error(`missing tools in ${TOOLS_DIR}:\n  ${missing.join("\n  ")}`);
  console.error("install them with: node scripts/package/check.ts --install-tools");
  process.exit(2);
}
try {
  setPriority(10); // children inherit it: others run timing-sensitive tests here
} catch {
  // not allowed: run at normal priority
}

// ------------------------------------------------------------ the results

type Status = "pass" | "FAIL" | "xfail" | "XPASS";
interface Cell {
  status: Status;
  detail: string;
}
interface Check {
  name: string;
  status: Status;
  summary: string;
  details: string[];
}

const table = new Map<string, Map<string, Cell>>();
const columnsInUse = new Set<string>();
const checks: Check[] = [];
const notes: string[] = [];

function record(row: string, column: string, cell: Cell) {
  if (!table.has(row)) table.set(row, new Map());
  table.get(row)!.set(column, cell);
  columnsInUse.add(column);
  const mark = cell.status === "pass" ? "ok  " : cell.status.padEnd(4);
  console.log(`  ${mark} ${row} @ ${column}${cell.status === "pass" ? "" : `: ${cell.detail}`}`);
}

function check(name: string, ok: boolean, summary: string, details: string[] = []) {
  checks.push({ name, status: ok ? "pass" : "FAIL", summary, details });
  console.log(`  ${ok ? "ok  " : "FAIL"} ${name}: ${summary}`);
}

// ---------------------------------------------------------------- 1. pack

const tmp = mkdtempSync(join(tmpdir(), "runlog-package-"));
console.log(`work dir ${tmp}`);
const git = (...args: string[]) => run({ name: "git", command: "git", prefix: [] }, args, REPO).out;
const tar: Tool = { name: "tar", command: "tar", prefix: [] };
const head = git("rev-parse", "--short", "HEAD").trim();
const dirty = lines(git("status", "--porcelain")).length;
let source = REPO;
if (flags.source === "head") {
  // A committed snapshot, so edits in progress do not leak in.
  source = join(tmp, "source");
  mkdirSync(source);
  const archive = spawnSync("git", ["archive", "--format=tar", "HEAD"], {
    cwd: REPO,
    maxBuffer: 256 * 1024 * 1024,
  });
  spawnSync("tar", ["-x", "-C", source], { input: archive.stdout });
  // deno pack type-checks the adapters, which needs @types/node.
  if (!existsSync(join(source, "node_modules"))) {
    symlinkSync(join(REPO, "node_modules"), join(source, "node_modules"));
  }
}
const config = JSON.parse(readFileSync(join(source, "deno.json"), "utf8"));
const [scope, bare] = String(config.name).slice(1).split("/");
const NPM_NAME = `@jsr/${scope}__${bare}`;
console.log(
  `\n# ${config.name}@${config.version} -> ${NPM_NAME}, from ${
    flags.source === "head" ? `HEAD ${head}` : `the work tree (HEAD ${head}, ${dirty} changed)`
  }`,
);

console.log("\n## deno pack");
const packed = join(tmp, "deno-pack.tgz");
const pack = run(
  tools.deno,
  ["pack", "--output", packed, ...(flags.source === "worktree" ? ["--allow-dirty"] : [])],
  source,
);
const untyped = lines(pack.err).filter((l) => l.startsWith("Could not generate types"));
check(
  "deno pack",
  pack.code === 0,
  pack.code === 0
    ? `${relative(tmp, packed)} in ${pack.ms} ms; no .d.ts for ${untyped.length} internal modules`
    : "failed",
  pack.code === 0 ? [] : lines(pack.out + pack.err).slice(-15),
);
if (pack.code !== 0) finish();

const raw = join(tmp, "deno-pack");
mkdirSync(raw);
mustRun(tar, ["-xzf", packed, "-C", raw], tmp);
const pkgDir = join(raw, "package");
const packJson = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));

// What JSR's npm layer serves (jsr-io/jsr api/src/npm/tarball.rs): name
// @jsr/<scope>__<name>, "type": "module", exports of {types, default},
// dependencies, homepage, _jsr_revision. deno pack differs in the name and
// adds main, types and an "import" condition: note the differences, then
// rewrite package.json to JSR's shape.
const exportKeys = typeof config.exports === "string" ? ["."] : Object.keys(config.exports);
const shape: string[] = [];
if (packJson.name !== NPM_NAME) shape.push(`name is "${packJson.name}", JSR serves "${NPM_NAME}"`);
for (const field of ["main", "types", "module", "bin"]) {
  if (packJson[field] !== undefined) shape.push(`has "${field}" (JSR's has none)`);
}
const problems: string[] = [];
if (packJson.type !== "module") problems.push(`"type" is ${packJson.type}, not "module"`);
if (packJson.version !== config.version) problems.push(`version ${packJson.version}`);
const jsrExports: Record<string, { types: string; default: string }> = {};
for (const key of exportKeys) {
  const entry = packJson.exports?.[key];
  if (entry === undefined) {
    problems.push(`export "${key}" missing`);
    continue;
  }
  const extra = Object.keys(entry).filter((c) => c !== "types" && c !== "default");
  if (extra.length > 0) shape.push(`export "${key}" has conditions ${extra.join(", ")}`);
  for (const condition of ["types", "default"]) {
    if (typeof entry[condition] !== "string") {
      const why = condition === "types" ? " (no .d.ts: slow types?)" : "";
      problems.push(`export "${key}" has no "${condition}"${why}`);
    } else if (!existsSync(join(pkgDir, entry[condition]))) {
      problems.push(`export "${key}" ${condition} -> ${entry[condition]}, not in the tarball`);
    }
  }
  jsrExports[key] = { types: entry.types, default: entry.default };
}
// Every relative import of a .d.ts must reach another .d.ts, or TypeScript
// falls back to the untyped .js.
const files = listFiles(pkgDir);
for (const file of files.filter((f) => f.endsWith(".d.ts"))) {
  const text = readFileSync(join(pkgDir, file), "utf8");
  for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
    const target = join(dirname(file), spec).replace(/\.js$/, ".d.ts");
    if (!files.includes(target)) problems.push(`${file} imports ${spec}: no ${target}`);
  }
}
// JSR lists as dependencies the npm packages the published modules import
// (through deno.json's import map); deno pack lists none.
const dependencies: Record<string, string> = { ...packJson.dependencies };
const jsFiles = files.filter((f) => f.endsWith(".js"));
for (const [alias, target] of Object.entries(config.imports ?? {}) as [string, string][]) {
  const npmSpec = /^npm:(@?[^@]+)@(.+)$/.exec(target);
  if (npmSpec === null) continue;
  const imported = new RegExp(`from\\s*"${alias.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`);
  if (jsFiles.some((f) => imported.test(readFileSync(join(pkgDir, f), "utf8")))) {
    dependencies[npmSpec[1]] = npmSpec[2];
  }
}
// Every bare import must be a dependency, or users get ERR_MODULE_NOT_FOUND.
for (const file of jsFiles) {
  // Without comments: the JSDoc examples import the package by its own name.
  const text = readFileSync(join(pkgDir, file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  // An import statement or expression, not the word in a string ("from").
  const imports = /(?:^|[\s;}])(?:from|import)\s*\(?\s*"([^".][^"\n]*)"/gm;
  for (const [, spec] of text.matchAll(imports)) {
    if (spec.startsWith("node:")) continue;
    const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
    if (dependencies[name] === undefined) {
      problems.push(`${file} imports "${spec}", which is not among the dependencies`);
    }
  }
}
const jsrJson = {
  name: NPM_NAME,
  version: packJson.version,
  homepage: `https://jsr.io/${config.name}`,
  type: "module",
  dependencies,
  exports: jsrExports,
  _jsr_revision: 0,
};
writeFileSync(join(pkgDir, "package.json"), JSON.stringify(jsrJson, null, 2) + "\n");
const tarball = join(tmp, `${NPM_NAME.slice(1).replace("/", "-")}-${packJson.version}.tgz`);
mustRun(tar, ["-czf", tarball, "-C", raw, "package"], tmp);
check(
  "package.json shape",
  problems.length === 0,
  problems.length === 0
    ? `type module; ${exportKeys.length} exports, each with types + default present` +
      (shape.length > 0 ? `; rewritten to JSR's shape (${shape.length} differences)` : "")
    : `${problems.length} problems`,
  [...problems, ...shape.map((s) => `deno pack vs JSR: ${s}`)],
);
notes.push(
  ...shape.map((s) => `deno pack vs JSR: ${s}`),
  "JSR's tarball also carries the .ts sources and every published file (deno.json); " +
    "deno pack's has neither.",
);

// ----------------------------------------------------- 2. linters on it

console.log("\n## publint, attw");
// --strict: warnings fail too; suggestions are only shown.
const publint = run(tools.publint, ["run", tarball, "--level", "suggestion", "--strict"], tmp);
const publintMessages = lines(publint.out + publint.err).filter((l) =>
  !/^(Running publint|Unpacking tarball|Linting\.\.\.|All good)/.test(l)
);
check(
  "publint --strict",
  publint.code === 0,
  publintMessages.length === 0
    ? "All good"
    : `exit ${publint.code}; ${publintMessages.filter((l) => /^\d+\. /.test(l)).length} messages`,
  publintMessages,
);

const attw = run(tools.attw, [tarball, "--profile", "esm-only", "--format", "json"], tmp);
try {
  const report = JSON.parse(attw.out);
  // attw exits 0 on a package without any types: that is a failure here.
  if (report.analysis?.types === false) throw new Error("attw: the package has no types at all");
  // --profile esm-only ignores the node10 and node16-cjs resolutions.
  const all: { kind: string; entrypoint?: string; resolutionKind?: string }[] =
    report.analysis?.problems ?? [];
  const ignored = new Set(["node10", "node16-cjs"]);
  const counted = all.filter((p) => !ignored.has(p.resolutionKind ?? ""));
  const summarise = (ps: typeof all) =>
    [...new Set(ps.map((p) => `${p.kind} (${p.resolutionKind ?? "any"})`))].map((k) =>
      `${k}: ${
        ps.filter((p) => `${p.kind} (${p.resolutionKind ?? "any"})` === k).map((p) => p.entrypoint)
          .join(" ")
      }`
    );
  check(
    "attw --profile esm-only",
    attw.code === 0 && counted.length === 0,
    counted.length === 0
      ? `no problems for node16-ESM and bundler; ignored by the profile: ${
        summarise(all.filter((p) => ignored.has(p.resolutionKind ?? ""))).map((s) =>
          s.split(":")[0]
        ).join(", ")
      }`
      : `${counted.length} problems`,
    summarise(counted),
  );
} catch (error) {
  check("attw --profile esm-only", false, `exit ${attw.code}: ${(error as Error).message}`, [
    ...lines(attw.out + attw.err).slice(0, 20),
  ]);
}

console.log("\n## deno publish --dry-run");
const publish = run(
  tools.deno,
  ["publish", "--dry-run", ...(flags.source === "worktree" ? ["--allow-dirty"] : [])],
  source,
);
const publishLines = lines(publish.out + publish.err);
const publishTalk = publishLines.filter((l) =>
  !/^(Check |Checking for slow types|Simulating publish|Success)|^\s+file:\/\//.test(l)
);
check(
  "deno publish --dry-run",
  publish.code === 0,
  `exit ${publish.code}; ${publishLines.filter((l) => /^\s+file:\/\//.test(l)).length} files; ` +
    `${publishTalk.length === 0 ? "no warnings" : `${publishTalk.length} lines of warnings`}`,
  publishTalk.slice(0, 20),
);

// ------------------------------------------------ 3. consumer projects

console.log("\n## consumer projects");
function project(name: string, extra: Record<string, string> = {}): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify(
      {
        name: `runlog-consumer-${name}`,
        private: true,
        // What `npx jsr add @ralph/runlog` writes, with the local tarball.
        dependencies: { [config.name]: `file:${tarball}` },
      },
      null,
      2,
    ),
  );
  for (const [file, text] of Object.entries(extra)) writeFileSync(join(dir, file), text);
  const installed = run(
    npm,
    // The package's own dependencies may need the registry (npm ci caches tarballs only).
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--no-package-lock",
      "--ignore-scripts",
    ],
    dir,
  );
  const manifest = join(dir, "node_modules", config.name, "package.json");
  const ok = installed.code === 0 && existsSync(manifest) &&
    JSON.parse(readFileSync(manifest, "utf8")).name === NPM_NAME;
  check(
    `npm install (${name} project)`,
    ok,
    ok ? `${config.name} -> ${NPM_NAME} in ${installed.ms} ms` : "failed",
    ok ? [] : lines(installed.out + installed.err),
  );
  for (const file of readdirSync(CONSUMERS)) copyFileSync(join(CONSUMERS, file), join(dir, file));
  return dir;
}
const jsProject = project("js");
const denoProject = project("deno", {
  "deno.json": JSON.stringify({ nodeModulesDir: "manual" }, null, 2),
});
const tsProject = project("ts");

let roots = 0;
function freshRoot(): string {
  const dir = join(tmp, "roots", String(++roots));
  mkdirSync(dir, { recursive: true });
  return dir;
}

// Runs one consumer program; the last "RESULT ok|fail ..." line decides.
function runConsumer(tool: Tool, file: string, cwd: string): Cell {
  const root = freshRoot();
  let args = [file, root];
  if (tool === tools.bun) args = ["--no-install", file, root];
  if (tool === tools.deno) {
    // The command's own program is spawned: that needs --allow-run (and all it runs, -A).
    args = file === "cli-program.mjs"
      ? ["run", "-A", file, root]
      : ["run", `--allow-read=${root},${cwd}`, `--allow-write=${root}`, file, root];
  }
  const ran = run(tool, args, cwd, 120_000);
  const result = [...(ran.out.matchAll(/^RESULT (ok|fail) (.*)$/gm))].at(-1);
  const warning = lines(ran.err).find((l) => /Warning:/.test(l));
  if (result?.[1] === "ok") {
    if (warning) notes.push(`${tool.name} ${file} passes, printing ${warning}`);
    return { status: "pass", detail: result[2] };
  }
  if (result) return { status: "FAIL", detail: result[2] };
  // No result line: it did not get that far (a SyntaxError, a failed import).
  const errLines = lines(ran.err);
  const first = errLines.find((l) => /^\w*(Error|Exception)\b|^error:|\[ERR_/.test(l.trim())) ??
    errLines.at(-1) ?? `exit ${ran.code}`;
  // Node prints the failing source line first: "file:///…/x.mjs:11" or "/…/x.cjs:4".
  const where = errLines.map((l) => /^(?:file:\/\/)?(\/\S+\.[cm]?js:\d+)$/.exec(l.trim())?.[1])
    .find((w) => w !== undefined);
  return {
    status: "FAIL",
    detail: `exit ${ran.code}: ${first.trim()}${where ? ` (at ${relative(cwd, where)})` : ""}`,
  };
}

const NODES = [tools.node20, tools.node22, tools.node24];
const RUNTIME_ROWS: { row: string; file: string; tools: Tool[]; project: string }[] = [
  {
    row: "JS ESM import, NodeWorkspace",
    file: "node-esm.mjs",
    tools: NODES,
    project: jsProject,
  },
  {
    row: "JS CJS require(), NodeWorkspace",
    file: "node-cjs.cjs",
    tools: NODES,
    project: jsProject,
  },
  { row: "Bun, BunWorkspace", file: "bun.mjs", tools: [tools.bun], project: jsProject },
  {
    row: "all 8 entry points, ESM import",
    file: "entry-points.mjs",
    tools: [...NODES, tools.bun],
    project: jsProject,
  },
  {
    row: "all 8 entry points, ESM import",
    file: "entry-points.mjs",
    tools: [tools.deno],
    project: denoProject,
  },
  {
    row: "all 8 entry points, CJS require()",
    file: "entry-points.cjs",
    tools: NODES,
    project: jsProject,
  },
  {
    row: "runlog command from node_modules",
    file: "cli-program.mjs",
    tools: [...NODES, tools.bun],
    project: jsProject,
  },
  {
    row: "runlog command from node_modules",
    file: "cli-program.mjs",
    tools: [tools.deno],
    project: denoProject,
  },
  {
    row: "Deno node_modules, DenoWorkspace",
    file: "deno.mjs",
    tools: [tools.deno],
    project: denoProject,
  },
  {
    row: "README logging example, try/finally (JS)",
    file: "readme-try-finally.mjs",
    tools: [...NODES, tools.bun],
    project: jsProject,
  },
  {
    row: "README logging example, try/finally (JS)",
    file: "readme-try-finally.mjs",
    tools: [tools.deno],
    project: denoProject,
  },
  // `await using` needs Node 24, Bun or Deno (or a TypeScript compile step).
  {
    row: "README logging example, await using (JS)",
    file: "readme-await-using.mjs",
    tools: [tools.node24, tools.bun],
    project: jsProject,
  },
  {
    row: "README logging example, await using (JS)",
    file: "readme-await-using.mjs",
    tools: [tools.deno],
    project: denoProject,
  },
];
console.log("\n## runtimes");
for (const { row, file, tools: runtimes, project: dir } of RUNTIME_ROWS) {
  for (const tool of runtimes) record(row, tool.name, runConsumer(tool, file, dir));
}

console.log("\n## adapters on the wrong runtime, and relative roots");
record(
  "BunWorkspace on Node fails early, naming NodeWorkspace",
  tools.node24.name,
  runConsumer(tools.node24, "probe-bun-workspace-on-node.mjs", jsProject),
);
record(
  "DenoWorkspace resolves a relative root",
  tools.deno.name,
  runConsumer(tools.deno, "probe-deno-relative-root.mjs", denoProject),
);

// ------------------------------------------------- 4. TypeScript consumer

console.log("\n## TypeScript (no @types/node)");
const TS_CONFIGS: { row: string; file: string; options: Record<string, unknown> }[] = [];
for (
  const [mode, options] of [
    ["nodenext", { module: "nodenext" }],
    ["bundler", { module: "esnext", moduleResolution: "bundler" }],
  ] as const
) {
  TS_CONFIGS.push(
    {
      row: `TS ${mode}, lib es2022`,
      file: "typescript.ts",
      options: { ...options, target: "es2022", lib: ["es2022"] },
    },
    {
      row: `TS ${mode}, default lib (target es2022)`,
      file: "typescript.ts",
      options: { ...options, target: "es2022" },
    },
    {
      row: `TS ${mode}, lib es2022+esnext.disposable, await using`,
      file: "typescript-await-using.ts",
      options: { ...options, target: "es2022", lib: ["es2022", "esnext.disposable"] },
    },
  );
}
TS_CONFIGS.forEach(({ file, options }, i) => {
  writeFileSync(
    join(tsProject, `tsconfig.${i}.json`),
    JSON.stringify(
      {
        compilerOptions: {
          ...options,
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [], // no @types/node, nor anything else
        },
        files: [file],
      },
      null,
      2,
    ),
  );
});
for (const tsc of tools.tsc) {
  TS_CONFIGS.forEach(({ row }, i) => {
    const ran = run(tsc, ["-p", `tsconfig.${i}.json`], tsProject);
    const errors = lines(ran.out + ran.err).filter((l) => /error TS\d+/.test(l));
    const ours = errors.filter((l) => l.includes("node_modules/")).length;
    const distinct = [
      ...new Set(errors.map((l) => l.replace(/^.*error (TS\d+): /, "$1 ").slice(0, 100))),
    ];
    record(row, tsc.name, {
      status: ran.code === 0 ? "pass" : "FAIL",
      detail: ran.code === 0
        ? ""
        : `${errors.length} errors (${ours} in the package's .d.ts): ${
          distinct.slice(0, 3).join(" | ")
        }`,
    });
  });
}

finish();

// ------------------------------------------------------------- the report

function finish(): never {
  console.log(`\n# Results: ${config.name}@${config.version} (${flags.source}, HEAD ${head})\n`);
  console.log("Package checks");
  for (const c of checks) {
    console.log(`  ${c.status === "pass" ? "pass" : "FAIL"}  ${c.name}: ${c.summary}`);
    for (const d of c.details) console.log(`          ${d}`);
  }
  const order = runtimeColumns(tools).map((t) => t.name).filter((c) => columnsInUse.has(c));
  if (order.length > 0) {
    const width = Math.max(...[...table.keys()].map((r) => r.length));
    const cellOf = (row: string, column: string) => table.get(row)?.get(column)?.status ?? "-";
    console.log("\nConsumers (rows) x runtimes (columns)\n");
    console.log(`${"".padEnd(width)}  ${order.map((c) => c.padEnd(9)).join(" ")}`);
    for (const row of table.keys()) {
      console.log(`${row.padEnd(width)}  ${order.map((c) => cellOf(row, c).padEnd(9)).join(" ")}`);
    }
    const bad = [...table].flatMap(([row, cells]) =>
      [...cells].filter(([, cell]) => cell.status !== "pass").map(([column, cell]) =>
        `${cell.status.padEnd(5)} ${row} @ ${column}: ${cell.detail}`
      )
    );
    if (bad.length > 0) console.log(`\nNot passing:\n  ${bad.join("\n  ")}`);
  }
  if (notes.length > 0) console.log(`\nNotes:\n  ${notes.join("\n  ")}`);
  const counted = [...table.values()].flatMap((cells) => [...cells.values()]);
  const failed = checks.filter((c) => c.status === "FAIL").length +
    counted.filter((cell) => cell.status === "FAIL").length;
  const passed = checks.filter((c) => c.status === "pass").length +
    counted.filter((cell) => cell.status === "pass").length;
  if (flags.json) {
    writeFileSync(
      flags.json,
      JSON.stringify(
        {
          source: flags.source,
          head,
          checks,
          table: Object.fromEntries([...table].map(([r, c]) => [r, Object.fromEntries(c)])),
          notes,
        },
        null,
        2,
      ),
    );
  }
  if (flags.keep) console.log(`\nKept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
  console.log(`\npackage check: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

function listFiles(dir: string, base = ""): string[] {
  return readdirSync(join(dir, base), { withFileTypes: true }).flatMap((entry) => {
    const path = base === "" ? entry.name : `${base}/${entry.name}`;
    return entry.isDirectory() ? listFiles(dir, path) : [path];
  });
}
