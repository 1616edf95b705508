import type { ModelRuntime, RuntimeOutcome } from './runtime';

/**
 * TEST-ONLY fault injection (ACTOR_FAULT_DELAY_MS): the wrapped runtime answers `delayMs` later
 * than it would, as a model slower than the request deadline would. The job keeps its lock and
 * runs to completion like a real slow inference, so fault tests can check 504s, job withdrawal
 * and key cleanup against the real actor. Never enabled unless configured (refused in production).
 */
export class FaultDelayRuntime implements ModelRuntime {
  readonly kind: ModelRuntime['kind'];
  readonly preferredBatchSize: number;

  constructor(
    private readonly inner: ModelRuntime,
    readonly delayMs: number,
  ) {
    this.kind = inner.kind;
    this.preferredBatchSize = inner.preferredBatchSize;
  }

  load(): Promise<void> {
    return this.inner.load();
  }

  async predict(inputs: readonly Buffer[]): Promise<RuntimeOutcome[]> {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return this.inner.predict(inputs);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
