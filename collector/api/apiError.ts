/** An error the HTTP API answers with its status and message (never a stack trace). */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 503,
    message: string,
  ) {
    super(message);
  }
}
