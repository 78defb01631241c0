/**
 * At most four distinct dynamic Workers may be in flight per request in production. A request (an
 * HTTP batch, a WebSocket session) that starts more executions queues them behind this gate
 * instead of failing.
 */

export const MAX_SANDBOXES_IN_FLIGHT = 4;

export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit = MAX_SANDBOXES_IN_FLIGHT) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  get inFlight(): number {
    return this.running;
  }
}
