/**
 * The collector's HTTP API under /api/v1: the support queries (support or privacy role), privacy
 * export (privacy role) and erase (privacy role, POST), and the OpenAPI document (no token).
 * Mounted in the API worker thread (apiWorker.ts): reads use its own read-only connection and
 * bounded pages, so they neither wait for ingest's commits nor hold back its WAL checkpoint for
 * long. Errors are JSON `{ "error": message }`, never a stack.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../common/logger.js";
import type { HttpServer } from "../http/httpServer.js";
import type { EraseResult } from "../privacy/privacyErase.js";
import { exportSubject, type PrivacySubject } from "../privacy/privacyExport.js";
import type { Db } from "../store/openDatabase.js";
import { ApiError } from "./apiError.js";
import { answerCommandRoute, type CommandHandlers, isCommandAction } from "./commandRoutes.js";
import { openApiDocument } from "./openApi.js";
import { gatewayParam, macParam } from "./params.js";
import { API_PREFIX, answerQuery } from "./supportApi.js";
import { type Role, TokenStore } from "./tokenStore.js";

export interface ApiOptions {
  /** Read-only connection for queries, exports and token checks. */
  readDb: Db;
  /**
   * Erases the subject everywhere the collector holds it (queue, database, broker): done by the
   * main thread; an ApiError (503 when the main thread does not answer in time) is passed on.
   */
  erase(subject: PrivacySubject): Promise<EraseResult & Record<string, unknown>>;
  log: Pick<Logger, "info" | "error">;
  /** The collector's clock; asynchronous when the main thread must be asked for it. */
  clock?: () => number | Promise<number>;
  /** Commands to gateways (speed test, refresh), sent by the main thread. */
  commands?: CommandHandlers;
}

function sendJson(response: ServerResponse, status: number, json: string): void {
  response
    .writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" })
    .end(json);
}

const send = (response: ServerResponse, status: number, body: unknown): void =>
  sendJson(response, status, `${JSON.stringify(body)}\n`);

function authorize(tokens: TokenStore, request: IncomingMessage, needed: readonly Role[]): Role {
  const header = request.headers.authorization ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const role = match ? tokens.verify(match[1] as string) : null;
  if (role === null)
    throw new ApiError(401, "a valid bearer token is required (Authorization: Bearer <token>)");
  if (!needed.includes(role))
    throw new ApiError(403, `this needs the ${needed.join(" or ")} role; the token has ${role}`);
  return role;
}

function subjectOf(parts: string[], params: URLSearchParams): PrivacySubject {
  const gatewayId = gatewayParam(parts[1] as string);
  const mac = params.get("mac");
  return mac === null ? { gatewayId } : { gatewayId, mac: macParam(mac) };
}

export function mountApi(http: HttpServer, options: ApiOptions): void {
  const { readDb, log } = options;
  const clock = options.clock ?? Date.now;
  const tokens = new TokenStore(readDb);
  // The same document for the collector's lifetime: serialised once.
  let openApiJson: string | undefined;
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://collector");
    const path = url.pathname.slice(API_PREFIX.length);
    const method = request.method ?? "GET";
    try {
      if (path === "/openapi.json") {
        if (method !== "GET") throw new ApiError(405, "use GET");
        openApiJson ??= `${JSON.stringify(openApiDocument())}\n`;
        sendJson(response, 200, openApiJson);
        return;
      }
      const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
      const action = parts[0] === "gateways" && parts.length === 3 ? parts[2] : undefined;
      if (action === "export" || action === "erase") {
        authorize(tokens, request, ["privacy"]);
        const expected = action === "export" ? "GET" : "POST";
        if (method !== expected) throw new ApiError(405, `use ${expected} for ${action}`);
        const subject = subjectOf(parts, url.searchParams);
        if (action === "export") {
          const now = await clock();
          send(response, 200, readDb.transaction(() => exportSubject(readDb, subject, now))());
        } else {
          const result = await options.erase(subject);
          log.info({ gatewayId: subject.gatewayId, device: subject.mac !== undefined }, "privacy erase done");
          send(response, 200, result);
        }
        return;
      }
      authorize(tokens, request, ["support", "privacy"]);
      if (isCommandAction(action)) {
        const gatewayId = gatewayParam(parts[1] as string);
        const route = { action, method, gatewayId, params: url.searchParams };
        const { status, body } = await answerCommandRoute(readDb, options.commands, route);
        send(response, status, body);
        return;
      }
      if (method !== "GET") throw new ApiError(405, "queries use GET");
      send(response, 200, answerQuery(readDb, { path, params: url.searchParams, now: await clock() }));
    } catch (error) {
      if (error instanceof ApiError) {
        send(response, error.status, { error: error.message });
        return;
      }
      log.error({ err: error, path: url.pathname }, "API request failed");
      send(response, 500, { error: "internal error (logged by the collector)" });
    }
  };
  http.routePrefix(`${API_PREFIX}/`, handle);
}
