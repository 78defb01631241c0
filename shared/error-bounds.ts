/**
 * How much of a thrown error reaches the answer. The prelude trims to these sizes before the error
 * crosses to the host, and the host trims again (it trusts nothing the sandbox sends), so a
 * 20 MB message or `details` property never becomes a 20 MB response.
 */

export const ERROR_BOUNDS = {
  nameChars: 256,
  messageChars: 16 * 1024,
  stackChars: 32 * 1024,
  /** JSON text of the error's own properties; past this they are left out, and the message says so. */
  propsChars: 256 * 1024,
} as const;

/** `text` cut to `max` characters, saying how much was cut. */
export function trimmed(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** The error with each part within ERROR_BOUNDS. */
export function boundedError<T extends { name: string; message: string; stack?: string; props?: string }>(error: T): T {
  const bounded = {
    ...error,
    name: trimmed(String(error.name), ERROR_BOUNDS.nameChars),
    message: trimmed(String(error.message), ERROR_BOUNDS.messageChars),
  };
  if (typeof error.stack === "string") bounded.stack = trimmed(error.stack, ERROR_BOUNDS.stackChars);
  else delete bounded.stack;
  if (typeof error.props === "string" && error.props.length > ERROR_BOUNDS.propsChars) {
    delete bounded.props;
    bounded.message += ` (its own properties were left out: ${error.props.length} characters of JSON, over the limit of ${ERROR_BOUNDS.propsChars})`;
  }
  return bounded;
}
