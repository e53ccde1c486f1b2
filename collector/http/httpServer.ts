/**
 * The collector's HTTP server: `/metrics` and the `/api/v1/...` routes (authenticated by bearer
 * tokens). It runs in the API worker thread (collector/api/apiWorker.ts), not on the thread that
 * commits ingest. Loopback by default.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "../../common/logger.js";

export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface HttpListen {
  host: string;
  port: number;
}

export interface HttpServer {
  readonly host: string;
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** Adds a handler for an exact path (the query string is ignored when matching). */
  route(method: "GET" | "POST" | "PUT" | "DELETE", path: string, handler: RouteHandler): void;
  /** Adds a handler for every method and path under `prefix` (exact routes win). */
  routePrefix(prefix: string, handler: RouteHandler): void;
  close(): Promise<void>;
}

/** The collector's default HTTP address (9464 is the port Prometheus exporters conventionally use). */
export const DEFAULT_HTTP_LISTEN = "127.0.0.1:9464";

/** A request must arrive whole within this long: slow clients must not hold sockets open. */
const REQUEST_TIMEOUT_MS = 10_000;

/** Parses `HOST:PORT` or `[IPv6]:PORT`; `off` gives null (no HTTP server). */
export function parseHttpListen(value: string, flag = "--http"): HttpListen | null {
  if (value === "off") return null;
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65_535) {
    throw new Error(`${flag}: expected HOST:PORT (e.g. 127.0.0.1:9464) or off, got ${JSON.stringify(value)}`);
  }
  return { host: (match[1] ?? match[2]) as string, port };
}

export async function startHttpServer(
  listen: HttpListen,
  log: Pick<Logger, "info" | "error">,
  /** `requestTimeoutMs`: a whole request's time, when bodies may take longer (speed-test uploads); headers still get 10 s. */
  options: { requestTimeoutMs?: number } = {},
): Promise<HttpServer> {
  const routes = new Map<string, Map<string, RouteHandler>>();
  const prefixes: Array<[string, RouteHandler]> = [];
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0] as string;
    const byMethod = routes.get(path);
    const prefixed = byMethod ? undefined : prefixes.find(([p]) => path.startsWith(p))?.[1];
    if (prefixed) {
      Promise.resolve()
        .then(() => prefixed(request, response))
        .catch((error: Error) => {
          log.error({ err: error, path }, "HTTP handler failed");
          if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
          response.end("internal error\n");
        });
      return;
    }
    if (!byMethod) {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
      return;
    }
    const handler = byMethod.get(request.method ?? "GET");
    if (!handler) {
      response
        .writeHead(405, {
          allow: [...byMethod.keys()].join(", "),
          "content-type": "text/plain; charset=utf-8",
        })
        .end("method not allowed\n");
      return;
    }
    Promise.resolve()
      .then(() => handler(request, response))
      .catch((error: Error) => {
        log.error({ err: error, path }, "HTTP handler failed");
        if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        response.end("internal error\n");
      });
  });
  server.requestTimeout = Math.max(options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS);
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : listen.port;
  log.info({ host: listen.host, port }, "HTTP server listening (/metrics)");
  return {
    host: listen.host,
    port,
    route(method, path, handler) {
      let byMethod = routes.get(path);
      if (!byMethod) {
        byMethod = new Map();
        routes.set(path, byMethod);
      }
      byMethod.set(method, handler);
    },
    routePrefix(prefix, handler) {
      prefixes.push([prefix, handler]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
