/**
 * How many opened objects (`open`) are held at once. Each keeps a sandbox isolate alive until it
 * is released, so a client that opens and never releases must hit a limit, not the host's memory.
 */

import { ServiceError } from "../errors";

/** The most opened objects a capnweb session (one WebSocket) may hold at once. */
export const MAX_OPEN_OBJECTS = 32;

export class OpenObjects {
  private count = 0;

  constructor(readonly max: number) {}

  take(): void {
    if (this.count >= this.max) {
      throw new ServiceError(
        "limit_reached",
        `This session already holds ${this.max} opened objects, the most it may; release one (stub[Symbol.dispose]()) before opening another.`,
        { details: { limit: "openObjects", max: this.max } },
      );
    }
    this.count++;
  }

  release(): void {
    this.count = Math.max(0, this.count - 1);
  }

  get held(): number {
    return this.count;
  }
}
