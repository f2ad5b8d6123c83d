import assert from "node:assert/strict";
import {
  RunLogError,
  type RunLogErrorCode,
  WorkspaceError,
  type WorkspaceErrorCode,
} from "../mod.ts";

/** Asserts that `promise` rejects with a WorkspaceError of `code`, and returns it. */
export async function rejectsWorkspace(
  promise: Promise<unknown>,
  code: WorkspaceErrorCode,
): Promise<WorkspaceError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof WorkspaceError, `expected a WorkspaceError, got ${error}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected a WorkspaceError "${code}", but the call succeeded`);
}

/** Asserts that `body` throws (or rejects with) a RunLogError of `code`. */
export async function throwsRunLog(
  body: () => unknown,
  code: RunLogErrorCode,
): Promise<RunLogError> {
  try {
    await body();
  } catch (error) {
    assert.ok(error instanceof RunLogError, `expected a RunLogError, got ${error}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected a RunLogError "${code}", but the call succeeded`);
}
