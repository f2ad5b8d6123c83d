// Probe, under Deno: a relative root is resolved against the current
// directory, as NodeWorkspace and BunWorkspace do it (path.resolve), so
// `root` is a normalised absolute path. Run with the current directory at
// an empty dir.
import { resolve } from "node:path";
import { DenoWorkspace } from "@ralph/runlog/deno";
import { report } from "./scenario.mjs";

await report("DenoWorkspace resolves a relative root", () => {
  const wrong = [];
  for (const given of [".", "../x", "a/./b/..", "./"]) {
    const root = new DenoWorkspace(given).root;
    if (root !== resolve(given)) wrong.push(`"${given}" -> "${root}" (want "${resolve(given)}")`);
  }
  if (wrong.length > 0) throw new Error(`root left unresolved: ${wrong.join("; ")}`);
  return Promise.resolve("., ../x, a/./b/.. and ./ all resolved");
});
