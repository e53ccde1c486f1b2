/**
 * Commands the collector sends to one gateway on `leaseline/v1/<gatewayId>/cmd` (QoS 1, never
 * retained: a command is for the connection that is there now, and the collector refuses one for
 * a gateway that is offline). The agent validates every command with validateCommand and ignores,
 * logs and counts what does not validate.
 *
 * - `snapshot`: collect and publish a full snapshot now, even if nothing changed.
 * - `speedtest`: measure round trip, download and upload against the HTTP test server in
 *   `speedtest`, within its byte and time bounds, and publish a `speedtest` message
 *   (protocol/messages.ts) with the command's id. One at a time: a second request while one runs
 *   is answered with a result whose `error` says so.
 */
import { MAX_PAYLOAD_BYTES } from "./limits.js";
import {
  INVALID,
  type Infer,
  int,
  literal,
  num,
  object,
  oneOf,
  optional,
  str,
  type ValidationError,
} from "./schema.js";
import { PROTOCOL_VERSION } from "./version.js";

export const COMMAND_ACTIONS = ["snapshot", "speedtest"] as const;
export type CommandAction = (typeof COMMAND_ACTIONS)[number];

/** Command ids become keys and log fields: short and printable. */
export const COMMAND_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Largest transfer one direction of a speed test may move: bounds what a test costs a metered line. */
export const MAX_SPEEDTEST_BYTES = 1024 * 1024 * 1024;

/** Longest one direction of a speed test may run. */
export const MAX_SPEEDTEST_SECONDS = 60;

export const speedTestRequestSchema = object({
  /**
   * Base URL of the test server (http or https). The agent sends `GET <url>/ping` for the round
   * trip, `GET <url>/download?bytes=N` and `POST <url>/upload` with N bytes, each with
   * `Authorization: Bearer <token>`.
   */
  url: str({ min: 1, max: 2048, pattern: /^https?:\/\/[^\s]+$/, patternName: "an http(s) URL" }),
  /** One-time secret the test server accepts for this test only. */
  token: str({ min: 16, max: 128 }),
  /** Bytes to download and to upload at most; a direction stops early at maxSeconds. */
  downloadBytes: int(0, MAX_SPEEDTEST_BYTES),
  uploadBytes: int(0, MAX_SPEEDTEST_BYTES),
  maxSeconds: num(1, MAX_SPEEDTEST_SECONDS),
});
export type SpeedTestRequest = Infer<typeof speedTestRequestSchema>;

export const commandSchema = object({
  v: literal(PROTOCOL_VERSION),
  type: literal("command"),
  id: str({ min: 1, max: 64, pattern: COMMAND_ID_PATTERN, patternName: "a command id" }),
  action: oneOf(COMMAND_ACTIONS),
  /** Required for `speedtest`, absent otherwise. */
  speedtest: optional(speedTestRequestSchema),
});
export type Command = Infer<typeof commandSchema>;

export type CommandValidation = { ok: true; command: Command } | { ok: false; errors: ValidationError[] };

/** Never throws: a garbage command is a list of errors, not an exception in the agent. */
export function validateCommand(payload: Uint8Array | string): CommandValidation {
  const size = typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > MAX_PAYLOAD_BYTES) {
    return {
      ok: false,
      errors: [{ path: "(payload)", message: `${size} bytes exceeds ${MAX_PAYLOAD_BYTES}` }],
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === "string" ? payload : Buffer.from(payload).toString("utf8"));
  } catch (error) {
    return { ok: false, errors: [{ path: "(payload)", message: `not JSON: ${(error as Error).message}` }] };
  }
  const errors: ValidationError[] = [];
  const command = commandSchema.check(json, "", errors);
  if (command === INVALID) return { ok: false, errors };
  if (command.action === "speedtest" && command.speedtest === undefined) {
    return {
      ok: false,
      errors: [{ path: "speedtest", message: "a speedtest command needs its speedtest request" }],
    };
  }
  return { ok: true, command };
}
