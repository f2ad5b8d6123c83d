// Node, plain JavaScript, ESM: `node node-esm.mjs <empty dir>`.
import process from "node:process";
import * as lib from "@ralph/runlog";
import { NodeWorkspace } from "@ralph/runlog/node";
import { report, scenario } from "./scenario.mjs";

const root = process.argv[2];
await report(
  `node ${process.version} esm`,
  () => scenario(lib, new NodeWorkspace(root), root, "node-esm"),
);
