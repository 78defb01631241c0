/** Shared by the prelude's unit tests. */

/** Calls `fn` and returns what it threw; fails when it returns instead. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw, but it returned");
}
