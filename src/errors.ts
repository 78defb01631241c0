/**
 * The service's one error class, for problems with a request or with the service itself.
 * (Problems in the user's code are not errors here: they are data in a 200 response.)
 * `app.onError` is the only place that turns these into HTTP responses.
 */

export const ERROR_STATUS = {
  // Client errors: the request itself is wrong.
  /** The body is not JSON (or multipart without its JSON `request` part), not UTF-8, empty or nested too deeply. */
  invalid_json: 400,
  /** A field is missing, has the wrong type or is out of range. */
  invalid_request: 400,
  /** `language` is not one the service compiles. */
  unsupported_language: 400,
  /** Missing or wrong API key (only when keys are configured). */
  unauthorized: 401,
  /** No such route. */
  not_found: 404,
  /** The route exists but not for this method. */
  method_not_allowed: 405,
  /** A count limit of the caller's tenant is reached (e.g. functions per tenant); delete something first. */
  limit_reached: 409,
  /** The body or `code` is over its size limit. */
  payload_too_large: 413,
  /** Too many requests for the caller's tier; see `Retry-After`. */
  rate_limited: 429,
  // Upstream errors: a stored function's handler answered something the host does not pass on.
  /** An HTTP function's response body is over `FUNCTION_LIMITS.responseBytes`. */
  response_too_large: 502,
  // Server errors: the service failed; the request may be retried.
  /** A bug or an unexpected platform failure. */
  internal: 500,
  /** A dependency of the service is not available right now. */
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ServiceError extends Error {
  override readonly name = "ServiceError";

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { retryAfterSeconds?: number; details?: unknown } = {},
  ) {
    super(message);
  }

  get status(): (typeof ERROR_STATUS)[ErrorCode] {
    return ERROR_STATUS[this.code];
  }
}

/** Describes a value's type for "expected vs. got" messages. */
export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return value.length > 40
      ? `a string (${JSON.stringify(value.slice(0, 40))}…)`
      : `the string ${JSON.stringify(value)}`;
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  return `a value of type ${typeof value}`;
}
