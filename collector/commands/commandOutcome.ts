/**
 * What the main thread answers the API worker about a command request: the HTTP status and body
 * to send, or a refusal with its status and a sentence saying why. Plain data, so it crosses the
 * thread boundary as it is.
 */
export type CommandOutcome =
  | { ok: true; status: 200 | 202; body: Record<string, unknown> }
  | { ok: false; status: 404 | 409 | 503; error: string };

export const refused = (status: 404 | 409 | 503, error: string): CommandOutcome => ({
  ok: false,
  status,
  error,
});
