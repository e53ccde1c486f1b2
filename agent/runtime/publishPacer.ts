/**
 * How fast the outbox's publishes are paced (common/tokenBucket.ts does the pacing). After a long
 * outage the outbox may hold thousands of messages; sent all at once they would trip the broker's
 * per-client rate limit (the embedded broker allows 20/s sustained with bursts of 200, slows a
 * faster client and closes one that runs far ahead), and the agent would reconnect and resend. The default pace is half of that:
 * a day's backlog of 30-second snapshots replays in about five minutes, and live traffic (one
 * message per poll at most) never waits.
 */

/** Messages per second sustained: half the embedded broker's limit. */
export const DEFAULT_PUBLISH_RATE = 10;
/** Messages sent at once before the rate applies: half the embedded broker's burst. */
export const DEFAULT_PUBLISH_BURST = 100;
