// runlog's version is stated once in code (src/_version.ts) and agrees with
// what deno.json and package.json publish; no other tracked file states it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { VERSION } from "../src/_version.ts";

const repo = fileURLToPath(new URL("..", import.meta.url));

test("VERSION is deno.json's and package.json's version", async () => {
  const deno = JSON.parse(await readFile(`${repo}/deno.json`, "utf8"));
  const npm = JSON.parse(await readFile(`${repo}/package.json`, "utf8"));
  assert.deepEqual([deno.version, npm.version], [VERSION, VERSION]);
});

test("no other source file states the version", async () => {
  const files = execFileSync("git", ["ls-files", "--", "*.ts", "*.mjs", "*.cjs", "*.js"], {
    cwd: repo,
    encoding: "utf8",
  }).split("\n").filter((f) => f !== "" && f !== "src/_version.ts");
  const literal = new RegExp(`["'\`]${VERSION.replaceAll(".", "\\.")}["'\`]`);
  const stating: string[] = [];
  for (const file of files) {
    if (literal.test(await readFile(`${repo}/${file}`, "utf8"))) stating.push(file);
  }
  assert.deepEqual(stating, [], `state ${VERSION} only in src/_version.ts`);
});
