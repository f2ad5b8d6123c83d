// The Workspace contract, run against MemoryWorkspace and against every
// real adapter this runtime has. An adapter is done when it passes this.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryWorkspace, type Workspace, WorkspaceError } from "../mod.ts";
import { realAdapters, tempDir } from "./_runtime.ts";
import { rejectsWorkspace } from "./_assert.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

type Contract = (ws: Workspace) => Promise<void>;

const contract: Record<string, Contract> = {
  "write() and read() round-trip text and create parent directories": async (ws) => {
    await ws.write("a/b/c.txt", "héllo ✓\nline 2");
    assert.equal(await ws.read("a/b/c.txt"), "héllo ✓\nline 2");
    assert.equal(await ws.isDir("a/b"), true);
    await ws.write("a/b/c.txt", "short");
    assert.equal(await ws.read("a/b/c.txt"), "short");
  },
  "writeBytes() and readBytes() round-trip binary data": async (ws) => {
    const data = new Uint8Array([0, 255, 1, 128, 0, 10]);
    await ws.writeBytes("bin/data", data);
    assert.deepEqual(await ws.readBytes("bin/data"), data);
    await rejectsWorkspace(ws.read("bin/data"), "io");
  },
  "readBytes() returns a copy the caller may change": async (ws) => {
    await ws.writeBytes("f", bytes("abc"));
    const first = await ws.readBytes("f");
    first[0] = 0;
    assert.equal(await ws.read("f"), "abc");
  },
  "appendBytes() creates the file and its parents, then appends": async (ws) => {
    await ws.appendBytes("logs/x.log", bytes("one\n"));
    await ws.appendBytes("logs/x.log", bytes("two\n"));
    assert.equal(await ws.read("logs/x.log"), "one\ntwo\n");
  },
  "exists(), isFile() and isDir() tell files, directories and nothing apart": async (ws) => {
    await ws.write("d/f", "x");
    assert.deepEqual(
      [await ws.exists("d/f"), await ws.isFile("d/f"), await ws.isDir("d/f")],
      [true, true, false],
    );
    assert.deepEqual(
      [await ws.exists("d"), await ws.isFile("d"), await ws.isDir("d")],
      [true, false, true],
    );
    assert.deepEqual(
      [await ws.exists("nope"), await ws.isFile("nope"), await ws.isDir("nope")],
      [false, false, false],
    );
    assert.equal(await ws.exists("d/f/under-a-file"), false);
    assert.equal(await ws.isDir("."), true);
    assert.equal(await ws.isDir(""), true);
  },
  "read() of a missing file fails with not-found naming the path and operation": async (ws) => {
    const error = await rejectsWorkspace(ws.read("missing/file.txt"), "not-found");
    assert.equal(error.path, "missing/file.txt");
    assert.equal(error.operation, "read");
    assert.match(error.message, /missing\/file\.txt/);
  },
  "read() of a directory fails with is-a-directory": async (ws) => {
    await ws.createDirAll("dir");
    await rejectsWorkspace(ws.read("dir"), "is-a-directory");
  },
  "write() onto a directory fails with is-a-directory": async (ws) => {
    await ws.createDirAll("dir");
    await rejectsWorkspace(ws.write("dir", "x"), "is-a-directory");
    await rejectsWorkspace(ws.appendBytes("dir", bytes("x")), "is-a-directory");
    assert.equal(await ws.isDir("dir"), true);
  },
  "write() below a file fails with not-a-directory": async (ws) => {
    await ws.write("file", "x");
    await rejectsWorkspace(ws.write("file/child", "y"), "not-a-directory");
    await rejectsWorkspace(ws.read("file/child"), "not-a-directory");
    assert.equal(await ws.read("file"), "x");
  },
  "remove() deletes a file and refuses directories and missing paths": async (ws) => {
    await ws.write("f", "x");
    await ws.remove("f");
    assert.equal(await ws.exists("f"), false);
    await rejectsWorkspace(ws.remove("f"), "not-found");
    await ws.createDirAll("d");
    await rejectsWorkspace(ws.remove("d"), "is-a-directory");
    assert.equal(await ws.isDir("d"), true);
  },
  "removeIfExists() tells whether it removed a file": async (ws) => {
    await ws.write("f", "x");
    assert.equal(await ws.removeIfExists("f"), true);
    assert.equal(await ws.removeIfExists("f"), false);
    assert.equal(await ws.removeIfExists("no/such/parent/f"), false);
  },
  "removeDirAll() removes a tree and refuses files and missing paths": async (ws) => {
    await ws.write("t/a/b/c.txt", "x");
    await ws.write("t/top.txt", "y");
    await ws.write("keep.txt", "z");
    await ws.removeDirAll("t");
    assert.equal(await ws.exists("t"), false);
    assert.equal(await ws.read("keep.txt"), "z");
    await rejectsWorkspace(ws.removeDirAll("t"), "not-found");
    await rejectsWorkspace(ws.removeDirAll("keep.txt"), "not-a-directory");
    assert.equal(await ws.exists("keep.txt"), true);
  },
  "removeDirAllIfExists() tells whether it removed a tree": async (ws) => {
    await ws.createDirAll("t/u");
    assert.equal(await ws.removeDirAllIfExists("t"), true);
    assert.equal(await ws.removeDirAllIfExists("t"), false);
  },
  "createDirAll() creates nested directories and is idempotent": async (ws) => {
    await ws.createDirAll("x/y/z");
    await ws.createDirAll("x/y/z");
    assert.equal(await ws.isDir("x/y/z"), true);
    await ws.write("file", "x");
    await rejectsWorkspace(ws.createDirAll("file"), "already-exists");
    await rejectsWorkspace(ws.createDirAll("file/sub"), "not-a-directory");
  },
  "createDir() resolves true once, then false": async (ws) => {
    assert.equal(await ws.createDir("claim"), true);
    assert.equal(await ws.createDir("claim"), false);
    assert.equal(await ws.createDir("claim/inner"), true);
  },
  "createDir() refuses a missing parent, a file in the way and a file parent": async (ws) => {
    await rejectsWorkspace(ws.createDir("no/parent"), "not-found");
    assert.equal(await ws.exists("no"), false);
    await ws.write("file", "x");
    await rejectsWorkspace(ws.createDir("file"), "already-exists");
    await rejectsWorkspace(ws.createDir("file/sub"), "not-a-directory");
  },
  "createDir() lets exactly one of many concurrent calls win": async (ws) => {
    const results = await Promise.all(
      Array.from({ length: 24 }, () => ws.createDir("contested")),
    );
    assert.equal(results.filter((won) => won).length, 1);
  },
  "readDir() lists entries sorted, with kinds and workspace-relative paths": async (ws) => {
    await ws.write("d/b.txt", "x");
    await ws.write("d/a.txt", "x");
    await ws.createDirAll("d/c");
    await ws.write("d/c/deeper.txt", "x");
    assert.deepEqual(await ws.readDir("d"), [
      { name: "a.txt", path: "d/a.txt", isFile: true, isDir: false, isSymlink: false },
      { name: "b.txt", path: "d/b.txt", isFile: true, isDir: false, isSymlink: false },
      { name: "c", path: "d/c", isFile: false, isDir: true, isSymlink: false },
    ]);
    assert.deepEqual((await ws.readDir(".")).map((e) => e.path), ["d"]);
    await rejectsWorkspace(ws.readDir("missing"), "not-found");
    await rejectsWorkspace(ws.readDir("d/a.txt"), "not-a-directory");
  },
  "rename() moves files over files and moves whole directories": async (ws) => {
    await ws.write("from.txt", "new");
    await ws.write("to.txt", "old");
    await ws.rename("from.txt", "to.txt");
    assert.equal(await ws.read("to.txt"), "new");
    assert.equal(await ws.exists("from.txt"), false);
    await ws.write("dir/sub/f.txt", "deep");
    await ws.rename("dir", "moved");
    assert.equal(await ws.read("moved/sub/f.txt"), "deep");
    assert.equal(await ws.exists("dir"), false);
    await rejectsWorkspace(ws.rename("nothing", "x"), "not-found");
    await rejectsWorkspace(ws.rename("to.txt", "no/parent/x"), "not-found");
    assert.equal(await ws.read("to.txt"), "new");
  },
  "writeAtomic() creates and replaces a file and leaves no temp file": async (ws) => {
    await ws.writeAtomic("meta/run.json", '{"a":1}');
    await ws.writeAtomic("meta/run.json", new TextEncoder().encode('{"a":2}'));
    assert.equal(await ws.read("meta/run.json"), '{"a":2}');
    assert.deepEqual((await ws.readDir("meta")).map((e) => e.name), ["run.json"]);
  },
  "writeAtomic() onto a directory fails and leaves no temp file": async (ws) => {
    await ws.createDirAll("meta/run.json");
    await rejectsWorkspace(ws.writeAtomic("meta/run.json", "x"), "is-a-directory");
    assert.deepEqual((await ws.readDir("meta")).map((e) => e.name), ["run.json"]);
  },
  "writeAtomic() replaces a read-only file, as a rename does": async (ws) => {
    await ws.write("ro.txt", "old");
    await ws.setReadonly("ro.txt");
    await ws.writeAtomic("ro.txt", "new");
    assert.equal(await ws.read("ro.txt"), "new");
  },
  "setReadonly() and setWritable() leave missing paths alone and restore writing": async (ws) => {
    await ws.setReadonly("missing.txt");
    await ws.setWritable("missing.txt");
    assert.equal(await ws.exists("missing.txt"), false);
    await ws.write("f.txt", "1");
    await ws.setReadonly("f.txt");
    await ws.setWritable("f.txt");
    await ws.write("f.txt", "2");
    assert.equal(await ws.read("f.txt"), "2");
  },
  "every method refuses paths that leave the root, before touching anything": async (ws) => {
    const bad = ["/etc/passwd", "../outside", "a/../../outside", "a/..", "a\\b", "a\0b", "C:/x"];
    const calls: [string, (p: string) => Promise<unknown>][] = [
      ["read", (p) => ws.read(p)],
      ["readBytes", (p) => ws.readBytes(p)],
      ["write", (p) => ws.write(p, "x")],
      ["writeBytes", (p) => ws.writeBytes(p, bytes("x"))],
      ["appendBytes", (p) => ws.appendBytes(p, bytes("x"))],
      ["exists", (p) => ws.exists(p)],
      ["isFile", (p) => ws.isFile(p)],
      ["isDir", (p) => ws.isDir(p)],
      ["remove", (p) => ws.remove(p)],
      ["removeIfExists", (p) => ws.removeIfExists(p)],
      ["removeDirAll", (p) => ws.removeDirAll(p)],
      ["removeDirAllIfExists", (p) => ws.removeDirAllIfExists(p)],
      ["createDirAll", (p) => ws.createDirAll(p)],
      ["createDir", (p) => ws.createDir(p)],
      ["readDir", (p) => ws.readDir(p)],
      ["rename from", (p) => ws.rename(p, "x")],
      ["rename to", async (p) => {
        await ws.write("src.txt", "s");
        return ws.rename("src.txt", p);
      }],
      ["writeAtomic", (p) => ws.writeAtomic(p, "x")],
      ["openAppend", (p) => ws.openAppend(p)],
      ["fileSize", (p) => ws.fileSize(p)],
      ["readRange", (p) => ws.readRange(p, 0, 1)],
      ["setReadonly", (p) => ws.setReadonly(p)],
      ["setWritable", (p) => ws.setWritable(p)],
    ];
    for (const [name, call] of calls) {
      for (const path of bad) {
        const error = await rejectsWorkspace(call(path), "invalid-path");
        assert.match(error.message, /relative|NUL|backslash|'\.\.'/, `${name}(${path})`);
      }
    }
    const left = (await ws.readDir(".")).map((e) => e.name);
    assert.deepEqual(left, ["src.txt"]);
  },
  "openAppend() creates the file and its parents and appends in call order": async (ws) => {
    const log = await ws.openAppend("logs/run/app.log");
    await log.write("one\n");
    await log.write(bytes("two\n"));
    // Not awaited one by one: order is still the order of the calls.
    await Promise.all(["3\n", "4\n", "5\n"].map((line) => log.write(line)));
    await log.close();
    assert.equal(await ws.read("logs/run/app.log"), "one\ntwo\n3\n4\n5\n");
    assert.equal(log.path, "logs/run/app.log");
  },
  "openAppend() never truncates an existing file": async (ws) => {
    await ws.write("app.log", "kept\n");
    const log = await ws.openAppend("app.log");
    await log.write("added\n");
    await log.close();
    assert.equal(await ws.read("app.log"), "kept\nadded\n");
  },
  "openAppend() data is visible to readers before close": async (ws) => {
    const log = await ws.openAppend("live.log");
    await log.write("seen\n");
    assert.equal(await ws.read("live.log"), "seen\n");
    await log.close();
  },
  "openAppend() with exclusive claims a new file once": async (ws) => {
    const first = await ws.openAppend("claim.log", { exclusive: true });
    await rejectsWorkspace(ws.openAppend("claim.log", { exclusive: true }), "already-exists");
    const claims = await Promise.allSettled(
      Array.from({ length: 12 }, () => ws.openAppend("race.log", { exclusive: true })),
    );
    assert.equal(claims.filter((c) => c.status === "fulfilled").length, 1);
    for (const c of claims) if (c.status === "fulfilled") await c.value.close();
    await first.close();
  },
  "AppendHandle.close() is idempotent and later writes fail with closed": async (ws) => {
    const log = await ws.openAppend("a.log");
    await log.write("x");
    await log.close();
    await log.close();
    const error = await rejectsWorkspace(log.write("y"), "closed");
    assert.equal(error.path, "a.log");
    assert.equal(await ws.read("a.log"), "x");
  },
  "AppendHandle[Symbol.asyncDispose]() closes the file": async (ws) => {
    const log = await ws.openAppend("d.log");
    await log.write("x");
    await log[Symbol.asyncDispose]();
    await rejectsWorkspace(log.write("y"), "closed");
  },
  "openAppend() refuses a directory and a path below a file": async (ws) => {
    await ws.createDirAll("dir");
    await rejectsWorkspace(ws.openAppend("dir"), "is-a-directory");
    await ws.write("file", "x");
    await rejectsWorkspace(ws.openAppend("file/below.log"), "not-a-directory");
  },
  "fileSize() and readRange() read a bounded part of a file": async (ws) => {
    await ws.write("data.txt", "0123456789");
    assert.equal(await ws.fileSize("data.txt"), 10);
    const text = async (offset: number, length: number) =>
      new TextDecoder().decode(await ws.readRange("data.txt", offset, length));
    assert.equal(await text(0, 4), "0123");
    assert.equal(await text(6, 100), "6789");
    assert.equal(await text(10, 5), "");
    assert.equal(await text(50, 5), "");
    await rejectsWorkspace(ws.fileSize("missing"), "not-found");
    await rejectsWorkspace(ws.readRange("missing", 0, 1), "not-found");
    await rejectsWorkspace(ws.readRange("data.txt", -1, 1), "invalid-argument");
    await rejectsWorkspace(ws.readRange("data.txt", 0, 1.5), "invalid-argument");
  },
  "writes, removals and renames refuse the root itself": async (ws) => {
    await ws.write("keep.txt", "x");
    await rejectsWorkspace(ws.removeDirAll("."), "invalid-path");
    await rejectsWorkspace(ws.removeDirAllIfExists(""), "invalid-path");
    await rejectsWorkspace(ws.write("./", "x"), "invalid-path");
    await rejectsWorkspace(ws.rename(".", "elsewhere"), "invalid-path");
    assert.equal(await ws.read("keep.txt"), "x");
  },
  "readEach() answers each path in order; one failure never fails the others": async (ws) => {
    for (let i = 0; i < 12; i++) await ws.write(`runs/r${i}/run.json`, `{"n":${i}}`);
    await ws.write("runs/big/run.json", "x".repeat(100));
    await ws.write("runs/file", "not a directory");
    const paths = [
      ...Array.from({ length: 12 }, (_, i) => `runs/r${i}/run.json`),
      "runs/missing/run.json",
      "runs/r0",
      "runs/big/run.json",
      "runs/file/run.json",
      "../escape",
      "nothing/here.txt",
    ];
    const answers = await ws.readEach!(paths, { maxBytes: 50 });
    assert.deepEqual(answers.slice(0, 12), Array.from({ length: 12 }, (_, i) => `{"n":${i}}`));
    const codes = answers.slice(12).map((a) => a instanceof WorkspaceError ? a.code : a);
    assert.deepEqual(codes, [
      "not-found",
      "is-a-directory",
      "too-large",
      "not-a-directory",
      "invalid-path",
      "not-found",
    ]);
    const missing = answers[12] as WorkspaceError;
    assert.equal(missing.path, "runs/missing/run.json");
    assert.equal(missing.operation, "read");
    assert.deepEqual(await ws.readEach!([]), []);
    await rejectsWorkspace(ws.readEach!("runs" as unknown as string[]), "invalid-argument");
  },
  "existsEach() answers as exists() does, path by path": async (ws) => {
    for (let i = 0; i < 12; i++) await ws.createDirAll(`runs/r${i}`);
    await ws.write("runs/r3/.keep", "");
    await ws.createDirAll("runs/r5/.keep");
    await ws.write("runs/file", "x");
    const paths = [
      ...Array.from({ length: 12 }, (_, i) => `runs/r${i}/.keep`),
      "runs/gone/.keep",
      "runs/file/.keep",
      ".",
    ];
    const single = await Promise.all(paths.map((path) => ws.exists(path)));
    assert.deepEqual(await ws.existsEach!(paths), single);
    assert.deepEqual(single.filter((x) => x).length, 3);
    const [refused] = await ws.existsEach!(["a/../b"]);
    assert.ok(refused instanceof WorkspaceError && refused.code === "invalid-path");
  },
  "paths are normalised: '.', empty and repeated slashes name the same entry": async (ws) => {
    await ws.write("./a//b/./c.txt", "x");
    assert.equal(await ws.read("a/b/c.txt"), "x");
    assert.deepEqual((await ws.readDir("a/")).map((e) => e.path), ["a/b"]);
  },
};

function register(name: string, open: () => Promise<{ ws: Workspace; done(): Promise<void> }>) {
  for (const [title, body] of Object.entries(contract)) {
    test(`${name}: ${title}`, async () => {
      const { ws, done } = await open();
      try {
        await body(ws);
      } finally {
        await done();
      }
    });
  }
}

register(
  "MemoryWorkspace",
  () => Promise.resolve({ ws: new MemoryWorkspace(), done: () => Promise.resolve() }),
);

for (const adapter of await realAdapters()) {
  register(adapter.name, async () => {
    const dir = await tempDir();
    return { ws: adapter.make(dir.path), done: dir.remove };
  });
}
