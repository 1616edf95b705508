/**
 * Restart delay for a crashing child: exponential (initial, x2, ... capped at max), and back to
 * `initial` once a child has stayed up `resetAfterMs`, so a crash after a long healthy run is
 * retried fast while a crash loop slows down instead of burning the CPU.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  resetAfterMs: number;
  factor?: number;
}

export class Backoff {
  private attempt = 0;
  private readonly factor: number;

  constructor(private readonly options: BackoffOptions) {
    if (options.initialMs <= 0 || options.maxMs < options.initialMs) {
      throw new RangeError(`invalid backoff: initial ${options.initialMs} ms, max ${options.maxMs} ms`);
    }
    this.factor = options.factor ?? 2;
  }

  /** Delay before the next start, given how long the last run lasted. */
  next(uptimeMs: number): number {
    if (uptimeMs >= this.options.resetAfterMs) this.attempt = 0;
    const delay = Math.min(this.options.initialMs * this.factor ** this.attempt, this.options.maxMs);
    // Stop growing the exponent once capped: keeps the number finite on endless crash loops.
    if (delay < this.options.maxMs) this.attempt += 1;
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }
}
