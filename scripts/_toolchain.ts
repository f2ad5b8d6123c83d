// Where the pinned runtimes are, on any platform: npm installs the Node
// build of this platform when one is pinned (Linux x64 and arm64, Windows
// x64), else the Node running the scripts is used; Deno and Bun come with
// binaries for every platform.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

const BIN = "node_modules/.bin";

/** The pinned Node, or the one running this script. */
export function nodeBinary(): string {
  const pinned = join(BIN, process.platform === "win32" ? "node.cmd" : "node");
  return existsSync(pinned) ? pinned : process.execPath;
}

/**
 * The real Deno binary (a signal sent to npm's shim would not reach Deno):
 * relative to the working directory, or under `root` when given.
 */
export function denoBinary(root = ""): string {
  const exe = process.platform === "win32" ? "deno.exe" : "deno";
  const direct = join(root, "node_modules/deno", exe);
  if (existsSync(direct)) return direct;
  const scoped = join(root, "node_modules/@deno");
  for (const name of existsSync(scoped) ? readdirSync(scoped) : []) {
    const candidate = join(scoped, name, exe);
    if (existsSync(candidate)) return candidate;
  }
  return join(root, BIN, "deno");
}

/** The pinned Bun: relative to the working directory, or under `root` when given. */
export function bunBinary(root = ""): string {
  return join(root, BIN, "bun");
}
