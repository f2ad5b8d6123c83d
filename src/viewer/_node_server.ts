// The viewer on node:http: each request converted to a Web `Request`, each
// `Response` streamed back with backpressure, and the request's signal
// aborted when the client goes away (which ends live streams).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A started server: its port, and how to stop it. */
export interface StartedServer {
  port: number;
  close(): Promise<void>;
}

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

async function send(res: ServerResponse, response: Response, head: boolean): Promise<void> {
  const headers: [string, string][] = [];
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers.push([name, value]);
  });
  for (const cookie of response.headers.getSetCookie()) headers.push(["set-cookie", cookie]);
  res.writeHead(response.status, headers.flat());
  if (response.body === null || head) {
    await response.body?.cancel();
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  let closed = false;
  const onClose = () => {
    closed = true;
    reader.cancel().catch(() => {});
  };
  res.on("close", onClose);
  let failed = false;
  try {
    while (!closed) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          const go = () => {
            res.off("drain", go);
            res.off("close", go);
            resolve();
          };
          res.on("drain", go);
          res.on("close", go);
        });
      }
    }
  } catch {
    failed = true;
  } finally {
    res.off("close", onClose);
    // The body failed midway (a file removed meanwhile): the status and
    // length are out, so the connection is cut for the client to see it.
    if (failed) res.destroy();
    else res.end();
  }
}

/** Serves `handler` with node:http on `hostname:port` (0: any free port). */
export function serveNode(
  handler: (request: Request) => Promise<Response>,
  hostname: string,
  port: number,
): Promise<StartedServer> {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const server = createServer((req, res) => {
    const controller = new AbortController();
    res.on("close", () => controller.abort());
    let request: Request;
    try {
      // As Deno and Bun do, the URL is the one the client asked for (its
      // Host): the viewer binds its session cookie to that port.
      const base = `http://${req.headers.host ?? `${host}:${req.socket.localPort}`}`;
      request = new Request(new URL(req.url ?? "/", base), {
        method: req.method,
        headers: toHeaders(req),
        signal: controller.signal,
      });
    } catch {
      res.writeHead(400).end();
      return;
    }
    handler(request).then(
      (response) => send(res, response, req.method === "HEAD"),
      () => void res.writeHead(500).end(),
    ).catch(() => res.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
