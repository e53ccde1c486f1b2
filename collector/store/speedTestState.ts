/**
 * Speed tests of the current boot: a row per test, written `pending` when the collector sends the
 * command and completed by the gateway's `speedtest` message, or failed when no answer came in
 * time. Router data: deleted at reset and by the router-data maximum age (docs/lifecycle.md).
 * The pending row is the one place that says a test is running, so a restarted collector, or
 * several sharing one database, agree on it.
 */
import type { SpeedTestResult } from "../../protocol/index.js";
import { isoTime } from "./isoTime.js";
import { type Db, statement } from "./openDatabase.js";

export type SpeedTestStatus = "pending" | "done" | "failed";

/** One test as support sees it (times are collector clock, ms). */
export interface SpeedTestRow {
  testId: string;
  status: SpeedTestStatus;
  requestedAt: number;
  answerBy: number | null;
  finishedAt: number | null;
  downloadBitsPerSecond: number | null;
  uploadBitsPerSecond: number | null;
  rttMs: number | null;
  downloadBytes: number | null;
  uploadBytes: number | null;
  server: string | null;
  error: string | null;
}

interface Row {
  test_id: string;
  status: SpeedTestStatus;
  at: number;
  answer_by: number | null;
  finished_at: number | null;
  download_bits_per_second: number | null;
  upload_bits_per_second: number | null;
  rtt_ms: number | null;
  download_bytes: number | null;
  upload_bytes: number | null;
  server: string | null;
  error: string | null;
}

const COLUMNS = `test_id, status, at, answer_by, finished_at, download_bits_per_second, upload_bits_per_second,
  rtt_ms, download_bytes, upload_bytes, server, error`;

const toRow = (r: Row): SpeedTestRow => ({
  testId: r.test_id,
  status: r.status,
  requestedAt: r.at,
  answerBy: r.answer_by,
  finishedAt: r.finished_at,
  downloadBitsPerSecond: r.download_bits_per_second,
  uploadBitsPerSecond: r.upload_bits_per_second,
  rttMs: r.rtt_ms,
  downloadBytes: r.download_bytes,
  uploadBytes: r.upload_bytes,
  server: r.server,
  error: r.error,
});

/** The gateway's latest tests, newest first (reads only: usable on the API's read-only connection). */
export function latestSpeedTests(db: Db, gatewayId: string, limit: number): SpeedTestRow[] {
  return statement<[string, number], Row>(
    db,
    `SELECT ${COLUMNS} FROM speed_tests WHERE gateway_id = ? ORDER BY at DESC, test_id LIMIT ?`,
  )
    .all(gatewayId, limit)
    .map(toRow);
}

/** A test as support tools show it: the same fields with times as ISO-8601 UTC. */
export type SpeedTestDetail = Omit<SpeedTestRow, "requestedAt" | "answerBy" | "finishedAt"> & {
  requestedAt: string;
  answerBy: string | null;
  finishedAt: string | null;
};

export function speedTestDetail(test: SpeedTestRow): SpeedTestDetail {
  return {
    ...test,
    requestedAt: isoTime(test.requestedAt),
    answerBy: isoTime(test.answerBy),
    finishedAt: isoTime(test.finishedAt),
  };
}

/** One test, or null when there is none (never asked for, or deleted with its boot). */
export function speedTestOf(db: Db, gatewayId: string, testId: string): SpeedTestRow | null {
  const row = statement<[string, string], Row>(
    db,
    `SELECT ${COLUMNS} FROM speed_tests WHERE gateway_id = ? AND test_id = ?`,
  ).get(gatewayId, testId);
  return row ? toRow(row) : null;
}

export class SpeedTestState {
  readonly #db: Db;
  readonly #s;

  constructor(db: Db) {
    this.#db = db;
    this.#s = {
      // A result for a test this collector did not start (another collector sharing the broker
      // sent it, or the pending row went with a reset) is still the gateway's measurement: kept.
      complete: db.prepare(
        `INSERT INTO speed_tests (gateway_id, test_id, at, status, finished_at, download_bits_per_second,
           upload_bits_per_second, rtt_ms, download_bytes, upload_bytes, server, error)
         VALUES (@gatewayId, @testId, @now, @status, @now, @downloadBitsPerSecond, @uploadBitsPerSecond, @rttMs,
           @downloadBytes, @uploadBytes, @server, @error)
         ON CONFLICT (gateway_id, test_id) DO UPDATE SET status = excluded.status, finished_at = excluded.finished_at,
           download_bits_per_second = excluded.download_bits_per_second,
           upload_bits_per_second = excluded.upload_bits_per_second, rtt_ms = excluded.rtt_ms,
           download_bytes = excluded.download_bytes, upload_bytes = excluded.upload_bytes, server = excluded.server,
           error = excluded.error
         WHERE speed_tests.status = 'pending'`,
      ),
      pendingOf: db.prepare<[string, number], { test_id: string; at: number; answer_by: number | null }>(
        `SELECT test_id, at, answer_by FROM speed_tests
         WHERE gateway_id = ? AND status = 'pending' AND (answer_by IS NULL OR answer_by > ?)
         ORDER BY at DESC LIMIT 1`,
      ),
      insertPending: db.prepare(
        `INSERT INTO speed_tests (gateway_id, test_id, at, status, answer_by)
         VALUES (?, ?, ?, 'pending', ?)`,
      ),
      fail: db.prepare(
        "UPDATE speed_tests SET status = 'failed', finished_at = ?, error = ? WHERE gateway_id = ? AND test_id = ? AND status = 'pending'",
      ),
      overdue: db.prepare<[number], { gateway_id: string; test_id: string; at: number }>(
        "SELECT gateway_id, test_id, at FROM speed_tests WHERE status = 'pending' AND answer_by <= ?",
      ),
    };
  }

  /** Stores a gateway's result; returns rows written (0 for a repeated result). */
  apply(message: SpeedTestResult, receivedAt: number): number {
    return this.#s.complete.run({
      ...message,
      status: message.error === null ? "done" : "failed",
      now: receivedAt,
    }).changes;
  }

  /**
   * Writes the pending row of a new test, unless the gateway has one still waiting for its answer;
   * in one write transaction, so two requests (or two collectors) cannot both start one.
   */
  start(
    gatewayId: string,
    testId: string,
    now: number,
    answerBy: number,
  ): { started: true } | { started: false; pending: { testId: string; requestedAt: number } } {
    return this.#db
      .transaction(() => {
        const pending = this.#s.pendingOf.get(gatewayId, now);
        if (pending)
          return { started: false as const, pending: { testId: pending.test_id, requestedAt: pending.at } };
        this.#s.insertPending.run(gatewayId, testId, now, answerBy);
        return { started: true as const };
      })
      .immediate();
  }

  /** Fails a pending test now (the command could not be sent); false if it was no longer pending. */
  fail(gatewayId: string, testId: string, now: number, error: string): boolean {
    return this.#s.fail.run(now, error, gatewayId, testId).changes > 0;
  }

  /** Fails every pending test whose answer is overdue; returns the ones it failed. */
  expire(now: number): Array<{ gatewayId: string; testId: string }> {
    // Read first: the sweep calls this every few seconds, and most of the time nothing is overdue.
    if (this.#s.overdue.all(now).length === 0) return [];
    return this.#db
      .transaction(() =>
        this.#s.overdue.all(now).map((r) => {
          const waited = Math.round((now - r.at) / 1000);
          this.#s.fail.run(now, `no answer from the gateway within ${waited} s`, r.gateway_id, r.test_id);
          return { gatewayId: r.gateway_id, testId: r.test_id };
        }),
      )
      .immediate();
  }
}
