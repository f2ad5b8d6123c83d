import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readdir, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type FsDriver, FsWorkspace, WorkspaceError, type WorkspaceErrorCode } from "../mod.ts";
import { realAdapters, tempDir } from "./_runtime.ts";
import { rejectsWorkspace } from "./_assert.ts";

const notCalled = () => Promise.reject(new Error("driver method not expected"));

/** A driver whose every method fails with `error`, recording the calls. */
function failingDriver(error: unknown, calls: string[] = []): FsDriver {
  const fail = (name: string) => (path: string) => {
    calls.push(`${name} ${path}`);
    return Promise.reject(error);
  };
  return {
    readFile: fail("readFile"),
    writeFile: fail("writeFile"),
    writeNewFile: fail("writeNewFile"),
    stat: fail("stat"),
    unlink: fail("unlink"),
    removeTree: fail("removeTree"),
    mkdir: fail("mkdir"),
    readDir: fail("readDir"),
    rename: fail("rename"),
    chmod: fail("chmod"),
    openAppend: fail("openAppend"),
    size: fail("size"),
    readRange: fail("readRange"),
  };
}

const sysError = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

test("FsWorkspace maps every runtime's errors into one vocabulary with path and operation", async () => {
  const expected: [unknown, WorkspaceErrorCode][] = [
    [sysError("ENOENT"), "not-found"],
    [sysError("EEXIST"), "already-exists"],
    [sysError("EACCES"), "permission-denied"],
    [sysError("EPERM"), "permission-denied"],
    [sysError("EROFS"), "permission-denied"],
    [sysError("ENOSPC"), "no-space"],
    [sysError("EDQUOT"), "no-space"],
    [sysError("ENOTDIR"), "not-a-directory"],
    [sysError("EISDIR"), "is-a-directory"],
    [sysError("ENOTEMPTY"), "directory-not-empty"],
    [sysError("EMFILE"), "too-many-open-files"],
    [sysError("ENAMETOOLONG"), "invalid-path"],
    [sysError("EIO"), "io"],
    [new Error("no code at all"), "io"],
    [Object.assign(new Error("Requires read access"), { name: "NotCapable" }), "permission-denied"],
  ];
  for (const [cause, code] of expected) {
    const ws = new FsWorkspace("/root-of-test", failingDriver(cause));
    const error = await rejectsWorkspace(ws.readBytes("dir/file.bin"), code);
    assert.equal(error.path, "dir/file.bin");
    assert.equal(error.operation, "readBytes");
    assert.equal(error.cause, cause);
    assert.match(error.message, /readBytes 'dir\/file\.bin' failed/);
  }
  const denied = await rejectsWorkspace(
    new FsWorkspace("/r", failingDriver(Object.assign(new Error("x"), { name: "NotCapable" })))
      .read("f"),
    "permission-denied",
  );
  assert.match(denied.message, /--allow-read/);
  const full = await rejectsWorkspace(
    new FsWorkspace("/r", failingDriver(sysError("ENOSPC"))).write("f", "x"),
    "no-space",
  );
  assert.match(full.message, /free disk space/);
});

test("FsWorkspace.writeAtomic() removes its temp file when the rename fails", async () => {
  const calls: string[] = [];
  const driver: FsDriver = {
    ...failingDriver(sysError("ENOSPC"), calls),
    writeNewFile: (path) => {
      calls.push(`writeNewFile ${path}`);
      return Promise.resolve();
    },
    unlink: (path) => {
      calls.push(`unlink ${path}`);
      return Promise.resolve();
    },
  };
  const ws = new FsWorkspace("/ws", driver);
  await rejectsWorkspace(ws.writeAtomic("a/run.json", "{}"), "no-space");
  const temp = calls[0].slice("writeNewFile ".length);
  assert.match(temp, /^\/ws\/a\/\.run\.json\.[0-9a-f]{16}\.tmp$/);
  assert.deepEqual(calls, [`writeNewFile ${temp}`, `rename ${temp}`, `unlink ${temp}`]);
});

test("FsWorkspace refuses an empty root", () => {
  assert.throws(() => new FsWorkspace("", failingDriver(new Error())), WorkspaceError);
  assert.throws(
    () => new FsWorkspace("/a\0b", { ...failingDriver(new Error()), readFile: notCalled }),
    WorkspaceError,
  );
});

for (const adapter of await realAdapters()) {
  test(`${adapter.name}: writeAtomic() leaves the file with mode 0600`, async () => {
    const dir = await tempDir();
    try {
      await adapter.make(dir.path).writeAtomic("run.json", "{}");
      assert.equal((await stat(join(dir.path, "run.json"))).mode & 0o777, 0o600);
    } finally {
      await dir.remove();
    }
  });

  test(`${adapter.name}: setReadonly() sets mode 0444 and setWritable() 0644`, async () => {
    const dir = await tempDir();
    try {
      const ws = adapter.make(dir.path);
      await ws.write("f.txt", "x");
      await ws.setReadonly("f.txt");
      assert.equal((await stat(join(dir.path, "f.txt"))).mode & 0o777, 0o444);
      await ws.setWritable("f.txt");
      assert.equal((await stat(join(dir.path, "f.txt"))).mode & 0o777, 0o644);
    } finally {
      await dir.remove();
    }
  });

  test(`${adapter.name}: removeDirAll() refuses a symbolic link and leaves its target alone`, async () => {
    const dir = await tempDir();
    try {
      const outside = join(dir.path, "outside");
      await mkdir(join(outside, "precious"), { recursive: true });
      await writeFile(join(outside, "precious", "data.txt"), "keep");
      const root = join(dir.path, "root");
      await mkdir(root);
      await symlink(outside, join(root, "link"));
      const ws = adapter.make(root);
      const [entry] = await ws.readDir(".");
      assert.deepEqual(entry, {
        name: "link",
        path: "link",
        isFile: false,
        isDir: false,
        isSymlink: true,
      });
      await rejectsWorkspace(ws.removeDirAll("link"), "not-a-directory");
      await rejectsWorkspace(ws.removeDirAllIfExists("link"), "not-a-directory");
      assert.deepEqual(await readdir(join(outside, "precious")), ["data.txt"]);
    } finally {
      await dir.remove();
    }
  });

  test(`${adapter.name}: a relative root is resolved once, at construction`, () => {
    const ws = adapter.make("some/relative/root");
    assert.ok(ws.root.startsWith("/"), ws.root);
    assert.ok(ws.root.endsWith("some/relative/root"), ws.root);
  });
}
