// The workspace of the runtime running a benchmark: the tests' native adapter.
import type { Workspace } from "../mod.ts";
import { nativeAdapter } from "../tests/_runtime.ts";

export async function workspaceFor(root: string): Promise<Workspace> {
  return (await nativeAdapter()).make(root);
}
