import { test } from "node:test";
import assert from "node:assert/strict";
import { link, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import {
  type FileKind,
  FsWorkspace,
  MemoryDriver,
  MemoryWorkspace,
  type Workspace,
  WorkspaceError,
  type WorkspaceErrorCode,
} from "../mod.ts";
import { realAdapters, tempDir } from "./_runtime.ts";
import { rejectsWorkspace } from "./_assert.ts";
import { failingDriver, FaultDriver, sysError } from "./_fault_driver.ts";

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
    [sysError("ELOOP"), "symlink"],
    [sysError("ENXIO"), "not-a-regular-file"],
    [sysError("EFBIG"), "too-large"],
    [sysError("EIO"), "io"],
    [new Error("no code at all"), "io"],
    [Object.assign(new Error("Requires read access"), { name: "NotCapable" }), "permission-denied"],
  ];
  for (const [cause, code] of expected) {
    const ws = new FsWorkspace("/root-of-test", failingDriver(cause));
    const error = await rejectsWorkspace(ws.readBytes("dir/file.bin"), code);
    assert.equal(error.path, "dir/file.bin");
    assert.equal(error.operation, "readBytes");
    // A missing directory is found by the walk, which names it instead.
    if (code !== "not-found") assert.equal(error.cause, cause);
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
  const driver = new FaultDriver(new MemoryDriver("/ws"));
  const ws = new FsWorkspace("/ws", driver);
  await ws.writeAtomic("a/run.json", "old");
  driver.ops.length = 0;
  driver.failAt = 6; // lstat a, open, write, sync, close, then the rename.
  await rejectsWorkspace(ws.writeAtomic("a/run.json", "new"), "no-space");
  const temp = driver.ops[1].slice("open:write-new ".length);
  assert.match(temp, /^\/ws\/a\/\.run\.json\.[0-9a-f]{16}\.tmp$/);
  assert.deepEqual(driver.ops, [
    "lstat /ws/a",
    `open:write-new ${temp}`,
    `write ${temp}`,
    `sync ${temp}`,
    `close ${temp}`,
    `rename ${temp}`,
    `unlink ${temp}`,
  ]);
  assert.deepEqual((await ws.readDir("a")).map((e) => e.name), ["run.json"]);
  assert.equal(await ws.read("a/run.json"), "old");
});

test("MemoryDriver.link() plants a hard link that MemoryWorkspace refuses like the real adapters", async () => {
  const driver = new MemoryDriver("/mem");
  const ws = new FsWorkspace("/mem", driver);
  await ws.write("outside.txt", "elsewhere");
  driver.link("/mem/outside.txt", "/mem/planted.log");
  assert.equal(driver.lstat("/mem/planted.log")?.links, 2);
  await rejectsWorkspace(ws.read("planted.log"), "hard-link");
  await rejectsWorkspace(ws.openAppend("planted.log"), "hard-link");
  await ws.remove("outside.txt");
  assert.equal(driver.lstat("/mem/planted.log")?.links, 1);
  assert.equal(await ws.read("planted.log"), "elsewhere"); // its only name now
});

test("FsWorkspace refuses an empty root and an unknown mode", () => {
  assert.throws(() => new FsWorkspace("", failingDriver(new Error())), WorkspaceError);
  assert.throws(() => new FsWorkspace("/a\0b", failingDriver(new Error())), WorkspaceError);
  assert.throws(
    // @ts-expect-error: plain JavaScript may pass anything.
    () => new FsWorkspace("/a", failingDriver(new Error()), { mode: "world" }),
    (error) => error instanceof WorkspaceError && /"private" or "group"/.test(error.message),
  );
});

// Every way a workspace creates a directory or a file.
async function createEverything(ws: Workspace): Promise<void> {
  await ws.createDirAll("made/by/createDirAll");
  await ws.createDir("made/createDir");
  await ws.write("w/write.txt", "x");
  await ws.writeBytes("wb/bytes.bin", new Uint8Array([1]));
  await ws.appendBytes("ab/append.log", new Uint8Array([1]));
  await (await ws.openAppend("oa/open.log")).close();
  await (await ws.openAppend("ox/exclusive.log", { exclusive: true })).close();
  await ws.writeAtomic("at/atomic.json", "{}");
}

const CREATED_DIRS = ["made", "made/by", "made/by/createDirAll", "made/createDir", "w", "wb", "ab"];
const CREATED_FILES = [
  "w/write.txt",
  "wb/bytes.bin",
  "ab/append.log",
  "oa/open.log",
  "ox/exclusive.log",
  "at/atomic.json",
];

for (const adapter of await realAdapters()) {
  for (
    const [mode, dirMode, fileMode, readonly] of [
      ["private", 0o700, 0o600, 0o400],
      ["group", 0o750, 0o640, 0o440],
    ] as const
  ) {
    test(
      `${adapter.name}: with mode "${mode}", directories are ${dirMode.toString(8)} and files ${
        fileMode.toString(8)
      }`,
      async () => {
        const dir = await tempDir();
        const umask = process.umask(0o022);
        try {
          const ws = adapter.make(dir.path, mode === "private" ? undefined : { mode });
          await createEverything(ws);
          for (const p of CREATED_DIRS) {
            assert.equal((await stat(join(dir.path, p))).mode & 0o777, dirMode, p);
          }
          for (const p of CREATED_FILES) {
            assert.equal((await stat(join(dir.path, p))).mode & 0o777, fileMode, p);
          }
          await ws.setReadonly("w/write.txt");
          assert.equal((await stat(join(dir.path, "w/write.txt"))).mode & 0o777, readonly);
          await ws.setWritable("w/write.txt");
          assert.equal((await stat(join(dir.path, "w/write.txt"))).mode & 0o777, fileMode);
        } finally {
          process.umask(umask);
          await dir.remove();
        }
      },
    );
  }

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

  test(`${adapter.name}: a file with a second name (hard link) is never opened, chmod-ed or sized`, async () => {
    const dir = await tempDir();
    try {
      const outside = join(dir.path, "outside.txt");
      await writeFile(outside, "outside content\n");
      const root = join(dir.path, "root");
      await mkdir(root);
      await link(outside, join(root, "planted.log"));
      const ws = adapter.make(root);
      const calls: [string, () => Promise<unknown>][] = [
        ["read", () => ws.read("planted.log")],
        ["readBytes", () => ws.readBytes("planted.log")],
        ["readRange", () => ws.readRange("planted.log", 0, 4)],
        ["fileSize", () => ws.fileSize("planted.log")],
        ["write", () => ws.write("planted.log", "x")],
        ["writeBytes", () => ws.writeBytes("planted.log", new Uint8Array([1]))],
        ["appendBytes", () => ws.appendBytes("planted.log", new Uint8Array([1]))],
        ["openAppend", () => ws.openAppend("planted.log")],
        ["setReadonly", () => ws.setReadonly("planted.log")],
        ["setWritable", () => ws.setWritable("planted.log")],
      ];
      for (const [operation, call] of calls) {
        const error = await rejectsWorkspace(call(), "hard-link");
        assert.equal(error.operation, operation);
        assert.match(error.message, /planted\.log' is a hard link \(the file has 2 names/);
      }
      assert.equal(await readFile(outside, "utf8"), "outside content\n");
      assert.equal((await stat(outside)).mode & 0o777, 0o644 & ~process.umask());
      // Replacing or removing the name itself never touches the other one.
      await ws.writeAtomic("planted.log", "replaced");
      assert.equal(await ws.read("planted.log"), "replaced");
      assert.equal(await readFile(outside, "utf8"), "outside content\n");
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

const rmDir = (path: string) => rm(path, { recursive: true });
const rmFile = (path: string) => rm(path);

// Twelve runs under .agent (more than a batch call lstats before it lists
// a directory), three of them made hostile.
async function plantBatch(
  root: string,
  outside: string,
  plant: { link(target: string, at: string): Promise<void>; fifo(at: string): Promise<void> },
): Promise<string[]> {
  await mkdir(outside, { recursive: true });
  await writeFile(join(outside, "run.json"), "SECRET");
  await writeFile(join(outside, ".keep"), "");
  const paths: string[] = [];
  for (let i = 0; i < 12; i++) {
    await mkdir(join(root, `.agent/logs-${i}`), { recursive: true });
    await writeFile(join(root, `.agent/logs-${i}/run.json`), `run ${i}`);
    paths.push(`.agent/logs-${i}/run.json`);
  }
  await rmDir(join(root, ".agent/logs-3"));
  await plant.link(outside, join(root, ".agent/logs-3"));
  await rmFile(join(root, ".agent/logs-4/run.json"));
  await plant.fifo(join(root, ".agent/logs-4/run.json"));
  await rmFile(join(root, ".agent/logs-5/run.json"));
  await link(join(outside, "run.json"), join(root, ".agent/logs-5/run.json"));
  return paths;
}

async function assertBatchRefuses(ws: Workspace, paths: string[]): Promise<void> {
  const answers = await ws.readEach!(paths);
  const got = answers.map((a) => a instanceof WorkspaceError ? a.code : a);
  assert.deepEqual(got, [
    "run 0",
    "run 1",
    "run 2",
    "symlink",
    "not-a-regular-file",
    "hard-link",
    "run 6",
    "run 7",
    "run 8",
    "run 9",
    "run 10",
    "run 11",
  ]);
  const keeps = await ws.existsEach!(paths.map((p) => p.replace("run.json", ".keep")));
  const pinned = keeps.map((k) => k instanceof WorkspaceError ? k.code : k);
  assert.deepEqual(pinned, [false, false, false, "symlink", ...Array(8).fill(false)]);
}

for (const adapter of await realAdapters()) {
  test(`${adapter.name}: readEach() and existsEach() never follow a link, open a FIFO or a second name`, async () => {
    const dir = await tempDir();
    try {
      const root = join(dir.path, "root");
      const paths = await plantBatch(root, join(dir.path, "outside"), {
        link: (target, at) => symlink(target, at),
        fifo: (at) => Promise.resolve(void execFileSync("mkfifo", [at])),
      });
      await assertBatchRefuses(adapter.make(root), paths);
    } finally {
      await dir.remove();
    }
  });
}

test("MemoryWorkspace: readEach() and existsEach() never follow a link, open a FIFO or a second name", async () => {
  const ws = new MemoryWorkspace();
  const abs = (path: string) => `${ws.root}/${path}`;
  for (let i = 0; i < 12; i++) await ws.write(`.agent/logs-${i}/run.json`, `run ${i}`);
  await ws.write("outside/run.json", "SECRET");
  await ws.write("outside/.keep", "");
  await ws.removeDirAll(".agent/logs-3");
  ws.driver.symlink(abs("outside"), abs(".agent/logs-3"));
  await ws.remove(".agent/logs-4/run.json");
  ws.driver.mkspecial(abs(".agent/logs-4/run.json"));
  await ws.remove(".agent/logs-5/run.json");
  ws.driver.link(abs("outside/run.json"), abs(".agent/logs-5/run.json"));
  const paths = Array.from({ length: 12 }, (_, i) => `.agent/logs-${i}/run.json`);
  await assertBatchRefuses(ws, paths);
});

// `count` run.json files under .agent, each holding its index; their paths.
async function writeRunJsons(ws: Workspace, count: number): Promise<string[]> {
  const paths = Array.from({ length: count }, (_, i) => `.agent/logs-${i}/run.json`);
  for (const [i, path] of paths.entries()) await ws.write(path, `${i}`);
  return paths;
}

test("FsWorkspace.readEach() lists a directory many paths pass through once per call, and again on the next", async () => {
  const driver = new FaultDriver(new MemoryDriver("/batch"));
  const ws = new FsWorkspace("/batch", driver);
  const paths = await writeRunJsons(ws, 40);
  const count = (kind: string) => driver.ops.filter((op) => op.startsWith(kind)).length;
  for (const call of [1, 2]) {
    driver.ops.length = 0;
    assert.equal((await ws.readEach(paths)).join(","), paths.map((_, i) => i).join(","));
    assert.deepEqual(driver.ops.filter((op) => op.startsWith("readDir")), [
      "readDir /batch/.agent",
    ], `call ${call}`);
    // .agent once, the first eight run directories, then the listing; and
    // each file before its open (this driver cannot open without following).
    assert.equal(count("lstat"), 1 + 8 + 40, `call ${call}`);
    assert.equal(count("open:read"), 40);
  }
  // One read at a time checks every parent on every call.
  driver.ops.length = 0;
  for (const path of paths) await ws.read(path);
  assert.equal(count("lstat"), 3 * 40);
});

test("FsWorkspace.readEach() looks at each child when it cannot list their directory", async () => {
  class Unlistable extends FaultDriver {
    override readDir(path: string): { name: string; kind: FileKind }[] {
      if (path.endsWith("/.agent")) throw sysError("EACCES");
      return super.readDir(path);
    }
  }
  const driver = new Unlistable(new MemoryDriver("/batch"));
  const ws = new FsWorkspace("/batch", driver);
  const paths = await writeRunJsons(ws, 20);
  paths.push(".agent/logs-missing/run.json");
  const answers = await ws.readEach(paths);
  assert.deepEqual(answers.slice(0, 20), paths.slice(0, 20).map((_, i) => `${i}`));
  assert.ok(answers[20] instanceof WorkspaceError && answers[20].code === "not-found");
  assert.deepEqual(await ws.existsEach(paths), [...Array(20).fill(true), false]);
});
