/**
 * Serving a {@linkcode Viewer} over HTTP with the server of the runtime
 * running it: `Deno.serve`, `Bun.serve`, or `node:http`.
 *
 * @module
 */
import { RunLogError } from "../run_log_error.ts";
import { errnoOf } from "../_map_error.ts";
import type { Viewer } from "./create_viewer.ts";
import type { StartedServer } from "./_node_server.ts";
import { invalidArgument } from "../_invalid_argument.ts";

/** Options of {@linkcode serveViewer}. */
export interface ServeOptions {
  /**
   * The address to listen on (default `127.0.0.1`: this machine only).
   * Anything else lets other machines reach the viewer; the token still
   * guards it, but the traffic is plain HTTP.
   */
  hostname?: string;
  /** The port (default 0: any free port, see {@linkcode ViewerServer.port}). */
  port?: number;
}

/** A viewer being served. */
export interface ViewerServer {
  /** The address listened on. */
  readonly hostname: string;
  /** The port listened on. */
  readonly port: number;
  /** The viewer's address, without the token: `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** The address to open: `url` with `?token=…`. */
  readonly openUrl: string;
  /** Ends the live streams and stops the server. */
  close(): Promise<void>;
}

interface BunServer {
  port: number;
  stop(force?: boolean): void | Promise<void>;
}
interface BunGlobal {
  serve(options: {
    hostname: string;
    port: number;
    idleTimeout?: number;
    fetch(request: Request): Promise<Response>;
  }): BunServer;
}

/** Whether an address is this machine only. */
export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * Serves a viewer on this runtime's HTTP server, on `127.0.0.1` unless
 * told otherwise.
 *
 * @example Serving, fetching with the token, stopping
 * ```ts ignore
 * import { NodeWorkspace } from "@ralph/runlog/node";
 * import { createViewer, serveViewer } from "@ralph/runlog/viewer";
 *
 * const server = await serveViewer(createViewer(new NodeWorkspace(process.cwd())));
 * console.log(`open ${server.openUrl}`);
 * await server.close();
 * ```
 *
 * @param viewer The handler, from `createViewer`.
 * @param options Address and port.
 * @returns The running server.
 * @throws {RunLogError} `"invalid-argument"` for a refused option, a port
 * already in use, an address not of this machine or a port needing privileges.
 */
export async function serveViewer(
  viewer: Viewer,
  options: ServeOptions = {},
): Promise<ViewerServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const port = options.port ?? 0;
  if (typeof hostname !== "string" || hostname === "" || /[\s/?#@]/.test(hostname)) {
    throw invalidArgument("serveViewer", "hostname", hostname, "an address such as 127.0.0.1");
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw invalidArgument("serveViewer", "port", port, "a whole number from 0 to 65535");
  }
  let started: StartedServer;
  try {
    started = await listen(viewer, hostname, port);
  } catch (error) {
    throw listenError(error, hostname, port);
  }
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const url = `http://${host}:${started.port}/`;
  let closed: Promise<void> | undefined;
  return {
    hostname,
    port: started.port,
    url,
    openUrl: `${url}?token=${viewer.token}`,
    close: () => {
      closed ??= (async () => {
        viewer.close();
        await started.close();
      })();
      return closed;
    },
  };
}

/**
 * The runtimes' "address in use", "no such address" and "not allowed" in
 * words that say what to do.
 */
function listenError(error: unknown, hostname: string, port: number): unknown {
  const code = errnoOf(error);
  const name = (error as { name?: unknown })?.name;
  const where = `${hostname}:${port}`;
  if (code === "EADDRINUSE" || name === "AddrInUse") {
    return new RunLogError(
      "invalid-argument",
      `serveViewer: ${where} is already in use; choose another port, or 0 for any free one`,
      { cause: error },
    );
  }
  const message = String((error as { message?: unknown })?.message ?? "");
  if (
    code === "EADDRNOTAVAIL" || name === "AddrNotAvailable" || code === "ENOTFOUND" ||
    code === "EAI_AGAIN" || code === "EINVAL" || /failed to lookup address/.test(message)
  ) {
    return new RunLogError(
      "invalid-argument",
      `serveViewer: ${hostname} is not an address of this machine (or does not resolve); use 127.0.0.1`,
      { cause: error },
    );
  }
  if (code === "EACCES" || name === "PermissionDenied") {
    return new RunLogError(
      "invalid-argument",
      `serveViewer: not allowed to listen on ${where} (ports below 1024 need privileges); ` +
        "choose a port above 1023, or 0",
      { cause: error },
    );
  }
  return error;
}

type Handler = (request: Request) => Promise<Response>;

/**
 * `handler` with a failing body of known length (a file removed or
 * truncated while it is sent) ended by `cut`, quietly: the servers of Deno
 * and Bun print the stack of a body's error to stderr. The status and
 * length are out by then, so the client sees the response cut short.
 */
function quietBodies(
  handler: Handler,
  cut: (controller: ReadableStreamDefaultController<Uint8Array>) => void,
): Handler {
  return async (request) => {
    const response = await handler(request);
    const source = response.body;
    if (source === null || !response.headers.has("Content-Length")) return response;
    const reader = source.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch {
          cut(controller);
          return;
        }
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel: (reason) => reader.cancel(reason),
    }, { highWaterMark: 0 });
    return new Response(body, { status: response.status, headers: response.headers });
  };
}

async function listen(viewer: Viewer, hostname: string, port: number): Promise<StartedServer> {
  let started: StartedServer;
  if ("Deno" in globalThis) {
    const controller = new AbortController();
    // Closed short of its Content-Length, a body makes Deno drop the connection.
    const handler = quietBodies(viewer, (body) => body.close());
    started = await new Promise<StartedServer>((resolve, reject) => {
      try {
        const server = Deno.serve({
          hostname,
          port,
          signal: controller.signal,
          onListen: () => {},
        }, handler);
        resolve({
          port: server.addr.port,
          close: async () => {
            controller.abort();
            await server.finished;
          },
        });
      } catch (error) {
        reject(error);
      }
    });
  } else if ("Bun" in globalThis) {
    const bun = (globalThis as unknown as { Bun: BunGlobal }).Bun;
    // idleTimeout 0: live streams stay open however quiet the run is.
    // Bun sends a streamed body chunked, whatever its Content-Length: closed
    // short, it would look whole. Errored, Bun drops the connection, and
    // prints nothing only when the reason is null.
    const fetch = quietBodies(viewer, (body) => body.error(null));
    const server = bun.serve({ hostname, port, idleTimeout: 0, fetch });
    started = { port: server.port, close: async () => void await server.stop(true) };
  } else {
    const { serveNode } = await import("./_node_server.ts");
    started = await serveNode(viewer, hostname, port);
  }
  return started;
}
