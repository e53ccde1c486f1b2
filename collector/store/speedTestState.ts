/**
 * Speed tests of the current boot: a row per test, written `pending` when the collector sends the
 * command and completed by the gateway's `speedtest` message. Router data: deleted at reset and by
 * the router-data maximum age (docs/lifecycle.md).
 */
import type { SpeedTestResult } from "../../protocol/index.js";
import type { Db } from "./openDatabase.js";

export class SpeedTestState {
  readonly #s;

  constructor(db: Db) {
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
}
