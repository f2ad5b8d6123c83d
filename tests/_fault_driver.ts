// A driver wrapper that fails on demand: the k-th operation with a chosen
// errno, or every write once a byte budget is spent (a full disk, with the
// short write a real one gives first). Every operation is recorded.
import type { DriverFile, FsDriver } from "../mod.ts";

export const sysError = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

export class FaultDriver implements FsDriver {
  readonly inner: FsDriver;
  /** Every operation so far, as "<name> <path>". */
  readonly ops: string[] = [];
  /** The 1-based operation number to fail, if any. */
  failAt = Number.POSITIVE_INFINITY;
  /** The 1-based operation number from which every operation fails (EMFILE-like), if any. */
  failFrom = Number.POSITIVE_INFINITY;
  /** What the failing operation throws. */
  errno = "ENOSPC";
  /** Bytes that writes may still store; beyond it they are short, then fail with ENOSPC. */
  budget = Number.POSITIVE_INFINITY;

  constructor(inner: FsDriver) {
    this.inner = inner;
  }

  #step(name: string, path: string): void {
    this.ops.push(`${name} ${path}`);
    if (this.ops.length === this.failAt || this.ops.length >= this.failFrom) {
      throw sysError(this.errno);
    }
  }

  lstat(path: string) {
    this.#step("lstat", path);
    return this.inner.lstat(path);
  }
  open(path: string, mode: Parameters<FsDriver["open"]>[1], permissions: number): DriverFile {
    this.#step(`open:${mode}`, path);
    const file = this.inner.open(path, mode, permissions);
    return {
      stat: () => {
        this.#step("fstat", path);
        return file.stat();
      },
      read: (buffer, position) => {
        this.#step("read", path);
        return file.read(buffer, position);
      },
      write: (data) => {
        this.#step("write", path);
        if (this.budget <= 0) throw sysError("ENOSPC");
        const take = Math.min(data.length, this.budget);
        this.budget -= take;
        return file.write(take === data.length ? data : data.subarray(0, take));
      },
      truncate: (length) => {
        this.#step("truncate", path);
        file.truncate(length);
      },
      sync: () => {
        this.#step("sync", path);
        file.sync();
      },
      close: () => {
        this.#step("close", path);
        file.close();
      },
    };
  }
  mkdir(path: string, permissions: number) {
    this.#step("mkdir", path);
    this.inner.mkdir(path, permissions);
  }
  readDir(path: string) {
    this.#step("readDir", path);
    return this.inner.readDir(path);
  }
  rename(from: string, to: string) {
    this.#step("rename", from);
    this.inner.rename(from, to);
  }
  unlink(path: string) {
    this.#step("unlink", path);
    this.inner.unlink(path);
  }
  rmdir(path: string) {
    this.#step("rmdir", path);
    this.inner.rmdir(path);
  }
  chmod(path: string, permissions: number) {
    this.#step("chmod", path);
    this.inner.chmod(path, permissions);
  }
}

/** A driver whose every operation throws `error`. */
export function failingDriver(error: unknown): FsDriver {
  const fail = () => {
    throw error;
  };
  return {
    lstat: fail,
    open: fail,
    mkdir: fail,
    readDir: fail,
    rename: fail,
    unlink: fail,
    rmdir: fail,
    chmod: fail,
  };
}
