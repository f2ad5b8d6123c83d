#!/usr/bin/env node
// The runlog command for Node (22.18+, which runs TypeScript) and Bun, from
// a checkout or a linked install (npm link, bun link). Deno users run
// jsr:@ralph/runlog/cli instead.
import process from "node:process";
import { runCli } from "../src/cli/mod.ts";

process.exitCode = await runCli(process.argv.slice(2));
