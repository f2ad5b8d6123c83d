// Deno, from a node_modules dir (deno.json `"nodeModulesDir": "manual"`):
// `deno run --allow-read=<dir> --allow-write=<dir> deno.mjs <empty dir>`.
import * as lib from "@ralph/runlog";
import { DenoWorkspace } from "@ralph/runlog/deno";
import { report, scenario } from "./scenario.mjs";

const root = Deno.args[0];
await report(
  `deno ${Deno.version.deno}`,
  () => scenario(lib, new DenoWorkspace(root), root, "deno"),
);
