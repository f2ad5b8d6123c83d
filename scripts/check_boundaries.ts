// Checks that the module boundaries of src/ tell the truth, like Deno std's
// _tools/check_mod_exports.ts, and exits non-zero when they do not:
// 1. A file without `_` is public: an entry point of deno.json exports
//    (re-exports) something of it, or it is what its folder offers the
//    others (a file of another folder imports it). Any other file is
//    private, and its name starts with `_`.
// 2. A private file is imported only from its own folder or a folder below
//    it: another folder goes through that folder's public files.
// 3. The folders of src/ import each other without a cycle.
//
//   node scripts/check_boundaries.ts
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const config = JSON.parse(readFileSync(join(REPO, "deno.json"), "utf8"));
const entries = new Set(
  Object.values(config.exports as Record<string, string>).map((p) => normalize(p)),
);

function sources(dir: string): string[] {
  return readdirSync(join(REPO, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const files = ["mod.ts", ...sources("src")];
// Relative imports and re-exports of each file, resolved; type-only ones too.
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^"';]*?\s+from\s+)?"(\.{1,2}\/[^"]+)"/g;
const DYNAMIC = /import\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g;
const imports = new Map<string, string[]>();
const reexports = new Map<string, string[]>();
for (const file of files) {
  const text = readFileSync(join(REPO, file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  const resolve = (spec: string) => normalize(join(dirname(file), spec));
  imports.set(file, [
    ...[...text.matchAll(IMPORT)].map((m) => resolve(m[1])),
    ...[...text.matchAll(DYNAMIC)].map((m) => resolve(m[1])),
  ]);
  reexports.set(
    file,
    [...text.matchAll(/(?:^|\n)\s*export\s+(?:type\s+)?(?:\*|\{[^}]*\})\s+from\s+"([^"]+)"/g)]
      .map((m) => resolve(m[1])),
  );
}

const problems: string[] = [];
const isPrivate = (file: string) => file.split("/").some((part) => part.startsWith("_"));

// 1. Public files: re-exported by an entry point, or entry points themselves.
const publicFiles = new Set<string>();
for (const entry of entries) {
  publicFiles.add(entry);
  for (const target of reexports.get(entry) ?? []) publicFiles.add(target);
}
const offered = new Set<string>();
for (const [file, targets] of imports) {
  for (const target of targets) if (dirname(target) !== dirname(file)) offered.add(target);
}
for (const file of files) {
  if (file === "mod.ts") continue;
  if (!isPrivate(file) && !publicFiles.has(file) && !offered.has(file)) {
    problems.push(
      `${file}: no entry point of deno.json exports anything of it, and no other folder ` +
        "imports it; name it with a leading _",
    );
  }
  if (isPrivate(file) && publicFiles.has(file)) {
    problems.push(`${file}: an entry point re-exports it, so it is public; drop the leading _`);
  }
}

// 2. Private files stay in their folder (and the folders below it). The
// folder of a private file is the one that holds its first `_` part.
function owner(file: string): string {
  const parts = file.split("/");
  const at = parts.findIndex((part) => part.startsWith("_"));
  return parts.slice(0, at).join("/");
}
for (const [file, targets] of imports) {
  for (const target of targets) {
    if (!isPrivate(target)) continue;
    const scope = owner(target);
    const from = dirname(file);
    if (from !== scope && !from.startsWith(`${scope}/`)) {
      problems.push(
        `${file} imports ${target}, private to ${scope}/: import a public file of that folder`,
      );
    }
  }
}

// 3. No cycle between folders.
const folderOf = (file: string) => (file === "mod.ts" ? "." : dirname(file));
const edges = new Map<string, Set<string>>();
for (const [file, targets] of imports) {
  for (const target of targets) {
    const [a, b] = [folderOf(file), folderOf(target)];
    if (a === b || a === "." || !files.includes(target)) continue;
    if (!edges.has(a)) edges.set(a, new Set());
    edges.get(a)!.add(b);
  }
}
const state = new Map<string, "visiting" | "done">();
const path: string[] = [];
function visit(folder: string): void {
  if (state.get(folder) === "done") return;
  if (state.get(folder) === "visiting") {
    problems.push(
      `folders import each other: ${[...path.slice(path.indexOf(folder)), folder].join(" -> ")}`,
    );
    return;
  }
  state.set(folder, "visiting");
  path.push(folder);
  for (const next of edges.get(folder) ?? []) visit(next);
  path.pop();
  state.set(folder, "done");
}
for (const folder of edges.keys()) visit(folder);

const graph = [...edges].map(([a, bs]) => `  ${a} -> ${[...bs].sort().join(", ")}`).sort();
console.log(`folder import graph of src/:\n${graph.join("\n")}`);
if (problems.length > 0) {
  console.error(`\n${problems.length} boundary problem(s):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`\n${files.length} files: boundaries hold`);
