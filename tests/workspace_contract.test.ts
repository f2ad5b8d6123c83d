// The Workspace contract, run against MemoryWorkspace and against every
// real adapter this runtime has. An adapter is done when it passes this.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryWorkspace, type Workspace } from "../mod.ts";
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
  "writes, removals and renames refuse the root itself": async (ws) => {
    await ws.write("keep.txt", "x");
    await rejectsWorkspace(ws.removeDirAll("."), "invalid-path");
    await rejectsWorkspace(ws.removeDirAllIfExists(""), "invalid-path");
    await rejectsWorkspace(ws.write("./", "x"), "invalid-path");
    await rejectsWorkspace(ws.rename(".", "elsewhere"), "invalid-path");
    assert.equal(await ws.read("keep.txt"), "x");
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
