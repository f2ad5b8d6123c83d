// The workspace a command reads instead of the one at --root: a run store
// (runlog list/show/tail/pack/serve/report --from s3://…). Scoped to one
// command run, so that commands run side by side from code never share it.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Workspace } from "../workspace.ts";

/** The workspace given with --from, while a command runs with it. */
export const workspaceScope: AsyncLocalStorage<Workspace> = new AsyncLocalStorage<Workspace>();
