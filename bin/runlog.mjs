#!/usr/bin/env node
// The runlog command for Node (22.18+, which runs TypeScript) and Bun, from
// a checkout or a linked install (npm link, bun link). Deno users run
// jsr:@ralph/runlog/cli; users of the npm package run its JavaScript,
// node_modules/@ralph/runlog/src/cli/mod.js, on Node 20.19+ (see README).
import process from "node:process";

let runCli;
try {
  ({ runCli } = await import("../src/cli/mod.ts"));
} catch (error) {
  if (error?.code !== "ERR_UNKNOWN_FILE_EXTENSION") throw error;
  process.stderr.write(
    `runlog: this checkout's command is TypeScript, which Node ${process.version} cannot run ` +
      "(Node 22.18+ can). Run it with node_modules/.bin/node (Node 24, pinned in package.json), " +
      "or install the package (npx jsr add @ralph/runlog) and run " +
      "node node_modules/@ralph/runlog/src/cli/mod.js\n",
  );
  process.exit(1);
}
process.exitCode = await runCli(process.argv.slice(2));
