/**
 * Errors the host raises for calls from the sandbox through `$`. They cross the RPC boundary with
 * their name, message, `code` and `details` intact, so snippets can branch on `error.code`.
 */

export const RUNTIME_ERROR_NAMES = {
  /** An argument is missing, of the wrong type, or out of range. */
  E_INVALID: "InvalidArgumentError",
  /** The caller's tier or the request's network policy does not allow the call. */
  E_DENIED: "PermissionDeniedError",
  /** A value is larger than the store accepts. */
  E_TOO_LARGE: "LimitExceededError",
  /** No such service in the runtime manifest. */
  E_NOT_FOUND: "NotFoundError",
} as const;

export type RuntimeErrorCode = keyof typeof RUNTIME_ERROR_NAMES;

export class RuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = RUNTIME_ERROR_NAMES[code];
  }
}

export function invalid(message: string, details?: Record<string, unknown>): RuntimeError {
  return new RuntimeError("E_INVALID", message, details);
}
