/**
 * The API's commands to gateways (support or privacy role): `POST /gateways/:id/speedtest` starts
 * a speed test (202, or 409 when the gateway is offline or busy), `GET /gateways/:id/speedtest`
 * lists its latest tests, and `POST /gateways/:id/refresh` asks for a snapshot now and answers
 * once a newer one is stored (at most REFRESH_WAIT_MS; 202 when none came by then). Sending is
 * the main thread's (CommandHandlers); reading and waiting use the worker's read-only connection.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { CommandOutcome } from "../commands/commandOutcome.js";
import { type Db, statement } from "../store/openDatabase.js";
import { latestSpeedTests, speedTestDetail } from "../store/speedTestState.js";
import { ApiError } from "./apiError.js";
import { limitParam } from "./params.js";

/** Commands to gateways, sent by the main thread; absent, the API answers 503. */
export interface CommandHandlers {
  speedTest(gatewayId: string): Promise<CommandOutcome>;
  refresh(gatewayId: string): Promise<CommandOutcome>;
}

const COMMAND_ACTIONS_IN_API = ["speedtest", "refresh"] as const;
type CommandAction = (typeof COMMAND_ACTIONS_IN_API)[number];

/** `/gateways/:id/<action>` paths this module answers. */
export function isCommandAction(action: string | undefined): action is CommandAction {
  return (COMMAND_ACTIONS_IN_API as readonly (string | undefined)[]).includes(action);
}

/** How long a refresh waits for the newer snapshot: an agent collects and publishes in well under this. */
export const REFRESH_WAIT_MS = 10_000;
const REFRESH_POLL_MS = 100;
/** Tests listed when no `limit` is given. */
const DEFAULT_TESTS_LISTED = 10;

export interface CommandRoute {
  action: CommandAction;
  method: string;
  gatewayId: string;
  params: URLSearchParams;
}

/** The status and body to answer; throws ApiError for a refusal. */
export async function answerCommandRoute(
  readDb: Db,
  commands: CommandHandlers | undefined,
  route: CommandRoute,
): Promise<{ status: number; body: unknown }> {
  const { action, method, gatewayId } = route;
  if (action === "speedtest" && method === "GET") {
    if (!statement<[string], unknown>(readDb, "SELECT 1 FROM gateways WHERE gateway_id = ?").get(gatewayId))
      throw new ApiError(404, `no gateway ${JSON.stringify(gatewayId)}`);
    const limit = limitParam(route.params.get("limit")) ?? DEFAULT_TESTS_LISTED;
    return { status: 200, body: latestSpeedTests(readDb, gatewayId, limit).map(speedTestDetail) };
  }
  if (method !== "POST")
    throw new ApiError(
      405,
      action === "speedtest" ? "use POST to start a test, GET to list tests" : "use POST",
    );
  if (!commands) throw new ApiError(503, "this collector sends no commands to gateways");
  const outcome = await (action === "speedtest"
    ? commands.speedTest(gatewayId)
    : commands.refresh(gatewayId));
  if (!outcome.ok) throw new ApiError(outcome.status, outcome.error);
  if (action === "speedtest") return { status: outcome.status, body: outcome.body };
  return waitForSnapshot(readDb, gatewayId, outcome.body);
}

/** Polls for a snapshot newer than the one stored when the command was sent (or a new boot's). */
async function waitForSnapshot(
  readDb: Db,
  gatewayId: string,
  requested: Record<string, unknown>,
): Promise<{ status: number; body: unknown }> {
  const started = Date.now();
  const current = statement<[string], { boot_id: string; last_snapshot_seq: number }>(
    readDb,
    "SELECT boot_id, last_snapshot_seq FROM gateways WHERE gateway_id = ?",
  );
  while (Date.now() - started < REFRESH_WAIT_MS) {
    await sleep(REFRESH_POLL_MS);
    const row = current.get(gatewayId);
    if (!row) break; // erased or aged out meanwhile: nothing to wait for
    if (row.boot_id !== requested.bootId || row.last_snapshot_seq > (requested.lastSnapshotSeq as number)) {
      return {
        status: 200,
        body: {
          ...requested,
          status: "updated",
          bootId: row.boot_id,
          lastSnapshotSeq: row.last_snapshot_seq,
          waitedMs: Date.now() - started,
        },
      };
    }
  }
  return {
    status: 202,
    body: {
      ...requested,
      status: "requested",
      message: `no newer snapshot was stored within ${REFRESH_WAIT_MS / 1000} s; it may still arrive`,
    },
  };
}
