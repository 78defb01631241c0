/**
 * The prelude's clock, taken when the prelude loads: a snippet that replaces `Date.now` (to freeze
 * it, or with a function that calls itself through the instrumented tick) changes only what its
 * own code reads, never the deadline checks, log timestamps or call timings.
 */
export const now: () => number = Date.now;
