/**
 * Structured logging for every part: pino to stderr (stdout is kept for data such as
 * `--print` and `--json` output), with secrets redacted wherever they might appear.
 */
import { pino } from "pino";

export type Logger = pino.Logger;

export const REDACTED_PATHS = [
  "password",
  "*.password",
  "passphrase",
  "*.passphrase",
  "authKey",
  "privKey",
  "*.authKey",
  "*.privKey",
  "token",
  "*.token",
];

export function createLogger(
  name: string,
  level: string = process.env.LEASELINE_LOG_LEVEL ?? "info",
): Logger {
  return pino({ name, level, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } }, pino.destination(2));
}

/** A logger that drops everything, for library use and tests that assert on counters instead. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
