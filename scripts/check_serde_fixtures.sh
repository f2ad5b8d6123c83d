#!/usr/bin/env bash
# Regenerates the run.json golden files with the real serde_json (Debian's
# packaged crates, built offline) and checks they equal tests/fixtures/*.json,
# then has serde read a run.json written by this library. Needs root for apt.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d /usr/share/cargo/registry/serde_json-1.0.87 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    cargo librust-serde-json-dev librust-serde-derive-dev >/dev/null
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
node_modules/.bin/node --input-type=module -e '
  import { formatRunMetadata, parseRunMetadata } from "./mod.ts";
  import { readFileSync, writeFileSync } from "node:fs";
  const m = parseRunMetadata(readFileSync("tests/fixtures/rust_run.json", "utf8"));
  writeFileSync(process.argv[1], formatRunMetadata({ ...m, extra: { written_by: "runlog" } }));
' "$out/ts_run.json"
(cd tests/serde_fixture && CARGO_TARGET_DIR="$out/target" cargo run -q -- "$out" "$out/ts_run.json")
for f in rust_run.json rust_run_sparse.json; do
  cmp "$out/$f" "tests/fixtures/$f"
  echo "tests/fixtures/$f equals serde_json::to_string_pretty"
done
