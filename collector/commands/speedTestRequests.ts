/**
 * Speed tests asked for by support, on the collector's main thread (where the broker and the
 * write connection are). Starting one: the gateway must be known and online and have no test
 * waiting for its answer; the pending row is written, the test's one-time token is granted to the
 * API worker's test server, and the `speedtest` command is sent. The gateway's result completes
 * the row through ingest; a test unanswered by its deadline is failed, and its token revoked as
 * soon as the test is over either way.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Logger } from "../../common/logger.js";
import { PROTOCOL_VERSION } from "../../protocol/index.js";
import type { SpeedTestGrant } from "../http/speedTestGrants.js";
import { isoTime } from "../store/isoTime.js";
import { type Db, statement } from "../store/openDatabase.js";
import { SpeedTestState, speedTestOf } from "../store/speedTestState.js";
import { type CommandOutcome, refused } from "./commandOutcome.js";
import type { CommandSender } from "./commandSender.js";
import { answerWithinMs, type SpeedTestBounds } from "./speedTestConfig.js";

/** Where the test server's tokens go: the API worker, through its host. */
export interface GrantSink {
  grant(grant: SpeedTestGrant): void;
  revoke(token: string): void;
}

export interface SpeedTestRequestsOptions {
  /** The collector's write connection. */
  db: Db;
  sender: CommandSender;
  /** The test server's URL for gateways, or why there is none (then every request is refused with it). */
  server: { url: string } | { problem: string };
  bounds: SpeedTestBounds;
  grants: GrantSink;
  log: Pick<Logger, "info" | "warn" | "error">;
  clock: () => number;
}

/** How often tests in progress are checked for their result or their deadline. */
const CHECK_INTERVAL_MS = 250;

interface Live {
  gatewayId: string;
  testId: string;
  token: string;
}

export class SpeedTestRequests {
  readonly #o: SpeedTestRequestsOptions;
  readonly #state: SpeedTestState;
  /** Tests this collector started whose token is still granted, by token. */
  readonly #live = new Map<string, Live>();
  #timer: NodeJS.Timeout | null = null;

  constructor(options: SpeedTestRequestsOptions) {
    this.#o = options;
    this.#state = new SpeedTestState(options.db);
  }

  async request(gatewayId: string): Promise<CommandOutcome> {
    const { db, sender, server, bounds, log, clock } = this.#o;
    if (!statement<[string], unknown>(db, "SELECT 1 FROM gateways WHERE gateway_id = ?").get(gatewayId))
      return refused(404, `no gateway ${JSON.stringify(gatewayId)}`);
    if ("problem" in server) return refused(503, `speed tests are not available: ${server.problem}`);
    const offline = sender.offlineReason(gatewayId);
    if (offline) return refused(409, `${offline}; a speed test needs the gateway online`);

    const now = clock();
    const answerBy = now + answerWithinMs(bounds);
    const testId = randomUUID();
    const started = this.#state.start(gatewayId, testId, now, answerBy);
    if (!started.started) {
      const { testId: other, requestedAt } = started.pending;
      return refused(
        409,
        `a speed test of ${gatewayId} is already running (test ${other}, requested at ${isoTime(requestedAt)}); one at a time per gateway`,
      );
    }
    const token = randomBytes(24).toString("base64url");
    this.#o.grants.grant({ token, gatewayId, testId, ...bounds, validForMs: answerBy - now });
    this.#live.set(token, { gatewayId, testId, token });
    this.#timer ??= setInterval(() => this.tick(), CHECK_INTERVAL_MS).unref();
    try {
      await sender.send(gatewayId, {
        v: PROTOCOL_VERSION,
        type: "command",
        id: testId,
        action: "speedtest",
        speedtest: { url: server.url, token, ...bounds },
      });
    } catch (error) {
      const message = `the command could not be sent: ${(error as Error).message}`;
      this.#state.fail(gatewayId, testId, clock(), message);
      this.#end(token);
      log.warn({ gatewayId, testId, err: (error as Error).message }, "speed test not started");
      return refused(503, message);
    }
    log.info({ gatewayId, testId, server: server.url, ...bounds }, "speed test requested");
    return {
      ok: true,
      status: 202,
      body: {
        testId,
        status: "pending",
        requestedAt: isoTime(now),
        answerBy: isoTime(answerBy),
        server: server.url,
        ...bounds,
      },
    };
  }

  /**
   * Fails tests past their deadline (also those a previous run of the collector started) and
   * revokes the tokens of tests that are over. Called on a timer while tests run, and by the sweep.
   */
  tick(): void {
    const { db, log, clock } = this.#o;
    const now = clock();
    try {
      for (const { gatewayId, testId } of this.#state.expire(now))
        log.warn({ gatewayId, testId }, "speed test failed: no answer from the gateway");
      for (const live of this.#live.values()) {
        const test = speedTestOf(db, live.gatewayId, live.testId);
        // Gone (the gateway reset) or over: the token must not be usable any more.
        if (test === null || test.status !== "pending") {
          this.#end(live.token);
          if (test?.status === "done")
            log.info({ gatewayId: live.gatewayId, testId: live.testId }, "speed test done");
        }
      }
    } catch (error) {
      log.error({ err: error }, "checking speed tests failed; retrying");
    }
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    for (const token of [...this.#live.keys()]) this.#end(token);
  }

  #end(token: string): void {
    this.#live.delete(token);
    this.#o.grants.revoke(token);
    if (this.#live.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }
}
