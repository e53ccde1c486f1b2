/**
 * The agent's side of the command channel (protocol/commands.ts). Every payload from the
 * gateway's cmd topic is validated; one that does not validate is logged, counted and ignored,
 * never thrown. `snapshot` asks the agent's loop for a full snapshot now; `speedtest` runs one
 * speed test at a time, and a request while one runs is answered at once with a result saying
 * so. QoS 1 may deliver a command twice: the ids of recent commands are remembered and a repeat
 * is ignored, so one request never produces two results.
 */
import type { Logger } from "../../common/logger.js";
import { type Command, type SpeedTestRequest, validateCommand } from "../../protocol/index.js";
import {
  failedOutcome,
  runSpeedTest,
  type SpeedTestOutcome,
  testServerBase,
} from "../speedtest/runSpeedTest.js";
import { serverLabel } from "../speedtest/testServerUrls.js";

export const SPEED_TEST_BUSY = "a speed test is already running";
/** Command ids remembered to recognise a redelivery: far more than arrive during one delivery's retries. */
export const REMEMBERED_COMMAND_IDS = 64;
/** Validation errors shown per rejected command: enough to see what is wrong, bounded for the log. */
const LOGGED_ERRORS = 5;

export interface CommandHandlerOptions {
  log: Logger;
  /** Collect and publish a full snapshot now, even if nothing changed. */
  requestSnapshot: () => void;
  /** Queue a speed test's result for publishing. */
  publishSpeedTest: (outcome: SpeedTestOutcome) => void;
  /** --speedtest-url: the provider's own test server instead of the one in the command. */
  speedTestUrl?: string | undefined;
  /** CA certificates for an https test server (--ca-file). */
  ca?: Buffer | undefined;
}

export interface CommandCounters {
  received: number;
  /** Not JSON, not a command, or a speedtest without its request. */
  rejected: number;
  duplicates: number;
  snapshots: number;
  speedTests: number;
  /** Speed test requests answered with SPEED_TEST_BUSY. */
  busy: number;
}

export class CommandHandler {
  readonly counters: CommandCounters = {
    received: 0,
    rejected: 0,
    duplicates: 0,
    snapshots: 0,
    speedTests: 0,
    busy: 0,
  };
  readonly #options: CommandHandlerOptions;
  readonly #recentIds: string[] = [];
  #running: Promise<void> | null = null;
  #abort: AbortController | null = null;
  #stopped = false;

  constructor(options: CommandHandlerOptions) {
    this.#options = options;
  }

  /** True while a speed test runs. */
  get testing(): boolean {
    return this.#running !== null;
  }

  /** One message from the cmd topic. Never throws. */
  handle(payload: Buffer): void {
    const log = this.#options.log;
    this.counters.received++;
    if (this.#stopped) return;
    const validation = validateCommand(payload);
    if (!validation.ok) {
      this.counters.rejected++;
      // The payload itself is not logged: a speedtest request carries a token.
      log.warn(
        {
          bytes: payload.byteLength,
          errors: validation.errors
            .slice(0, LOGGED_ERRORS)
            // A validation message quotes the value it refused; a token's stays out of the log.
            .map((e) =>
              /token$/.test(e.path) ? { path: e.path, message: "invalid (value not logged)" } : e,
            ),
          rejected: this.counters.rejected,
        },
        "command ignored: not a valid command",
      );
      return;
    }
    const command = validation.command;
    if (this.#seenBefore(command.id)) {
      this.counters.duplicates++;
      log.info({ commandId: command.id, action: command.action }, "command ignored: already received");
      return;
    }
    if (command.action === "snapshot") {
      this.counters.snapshots++;
      log.info({ commandId: command.id }, "command: full snapshot now");
      this.#options.requestSnapshot();
      return;
    }
    this.#speedTest(command, command.speedtest as SpeedTestRequest);
  }

  /** Aborts a running speed test and waits for its result to be handed over. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort?.abort();
    await this.#running;
  }

  #speedTest(command: Command, request: SpeedTestRequest): void {
    const { log, speedTestUrl } = this.#options;
    const base = testServerBase(request, speedTestUrl);
    const server = base ? serverLabel(base) : null;
    if (this.#running) {
      this.counters.busy++;
      log.info({ commandId: command.id }, "speed test refused: one is already running");
      this.#publish(failedOutcome(command.id, server, SPEED_TEST_BUSY));
      return;
    }
    this.counters.speedTests++;
    const abort = new AbortController();
    this.#abort = abort;
    log.info(
      {
        commandId: command.id,
        server,
        downloadBytes: request.downloadBytes,
        uploadBytes: request.uploadBytes,
        maxSeconds: request.maxSeconds,
      },
      "speed test starting",
    );
    this.#running = runSpeedTest({
      testId: command.id,
      request,
      urlOverride: speedTestUrl,
      ca: this.#options.ca,
      signal: abort.signal,
    })
      .catch((error: Error) => failedOutcome(command.id, server, `speed test failed: ${error.message}`))
      .then((outcome) => {
        const { testId, error, ...figures } = outcome;
        if (error) log.warn({ commandId: testId, ...figures, error }, "speed test failed");
        else log.info({ commandId: testId, ...figures }, "speed test done");
        this.#publish(outcome);
      })
      .finally(() => {
        this.#running = null;
        this.#abort = null;
      });
  }

  #publish(outcome: SpeedTestOutcome): void {
    try {
      this.#options.publishSpeedTest(outcome);
    } catch (error) {
      this.#options.log.error({ err: error, commandId: outcome.testId }, "speed test result not queued");
    }
  }

  #seenBefore(id: string): boolean {
    if (this.#recentIds.includes(id)) return true;
    this.#recentIds.push(id);
    if (this.#recentIds.length > REMEMBERED_COMMAND_IDS) this.#recentIds.shift();
    return false;
  }
}
