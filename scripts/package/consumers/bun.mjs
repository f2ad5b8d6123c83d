// Bun, from node_modules: `bun bun.mjs <empty dir>`.
import process from "node:process";
import * as lib from "@ralph/runlog";
import { BunWorkspace } from "@ralph/runlog/bun";
import { report, scenario } from "./scenario.mjs";

const root = process.argv[2];
await report(
  `bun ${process.versions.bun}`,
  () => scenario(lib, new BunWorkspace(root), root, "bun"),
);
