import type { BatchingStats } from '@cataract/contracts';
import { BatchOutcomeMismatchError, SchedulerClosedError } from './errors';
import type { ModelRuntime, RuntimeOutcome } from './runtimes/runtime';
import type { InferenceScheduler } from './scheduler';

export interface MicroBatcherOptions {
  /** Most inputs per runtime.predict() call (CLIP_MAX_BATCH). */
  maxBatch: number;
  /** How long the oldest waiting input waits for company before its batch runs anyway (CLIP_MAX_WAIT_MS). */
  maxWaitMs: number;
  /**
   * Batches running at once. 2 lets the next batch decode its images while the previous one is in
   * inference; inputs arriving while both run keep collecting, so batches grow under load.
   */
  maxInflight?: number;
}

interface Waiting {
  input: Buffer;
  arrived: number;
  resolve(outcome: RuntimeOutcome): void;
}

/**
 * Dynamic batching in front of a runtime: inputs submitted within maxWaitMs of the oldest waiting
 * one (up to maxBatch) go to the runtime as one predict() call, and each caller gets back only its
 * own outcome. A whole-batch failure (e.g. the inference itself throws) fails each of its callers
 * with that error; a bad input fails only its caller, since the runtime decodes inputs one by one.
 */
export class MicroBatcher implements InferenceScheduler {
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly maxInflight: number;
  private readonly queue: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inflight = 0;
  private closed = false;
  private drained: Array<() => void> = [];
  private batches = 0;
  private batchedInputs = 0;

  constructor(
    private readonly runtime: ModelRuntime,
    opts: MicroBatcherOptions,
  ) {
    if (!Number.isInteger(opts.maxBatch) || opts.maxBatch < 1) throw new RangeError(`maxBatch must be an integer >= 1, got ${opts.maxBatch}`);
    if (!Number.isFinite(opts.maxWaitMs) || opts.maxWaitMs < 0) throw new RangeError(`maxWaitMs must be >= 0, got ${opts.maxWaitMs}`);
    const inflight = opts.maxInflight ?? 2;
    if (!Number.isInteger(inflight) || inflight < 1) throw new RangeError(`maxInflight must be an integer >= 1, got ${inflight}`);
    this.maxBatch = opts.maxBatch;
    this.maxWaitMs = opts.maxWaitMs;
    this.maxInflight = inflight;
  }

  submit(input: Buffer): Promise<RuntimeOutcome> {
    if (this.closed) return Promise.reject(new SchedulerClosedError());
    return new Promise<RuntimeOutcome>((resolve) => {
      this.queue.push({ input, arrived: performance.now(), resolve });
      this.pump();
    });
  }

  /** Counters for the heartbeat (and GET /health). */
  stats(): BatchingStats {
    return {
      max_batch: this.maxBatch,
      max_wait_ms: this.maxWaitMs,
      batches: this.batches,
      batched_inputs: this.batchedInputs,
      avg_batch_size: this.batches === 0 ? 0 : Number((this.batchedInputs / this.batches).toFixed(3)),
    };
  }

  /** Refuse new inputs, run what is queued at once (no waiting for company), resolve when all answered. */
  async close(): Promise<void> {
    this.closed = true;
    this.pump();
    if (this.queue.length === 0 && this.inflight === 0) return;
    await new Promise<void>((resolve) => this.drained.push(resolve));
  }

  /** Starts every batch that may start now, and arms the timer for the oldest input still waiting. */
  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inflight < this.maxInflight && this.queue.length > 0 && (this.queue.length >= this.maxBatch || this.closed || this.waitedMs() >= this.maxWaitMs)) {
      void this.run(this.queue.splice(0, this.maxBatch));
    }
    // When every slot is busy, a finishing batch calls pump(); a timer would only spin.
    if (this.queue.length > 0 && this.inflight < this.maxInflight) {
      this.timer = setTimeout(() => this.pump(), Math.max(0, this.maxWaitMs - this.waitedMs()));
    }
  }

  private waitedMs(): number {
    return this.queue.length === 0 ? 0 : performance.now() - this.queue[0].arrived;
  }

  private async run(batch: Waiting[]): Promise<void> {
    this.inflight++;
    this.batches++;
    this.batchedInputs += batch.length;
    let outcomes: RuntimeOutcome[];
    try {
      outcomes = await this.runtime.predict(batch.map((w) => w.input));
      if (outcomes.length !== batch.length) throw new BatchOutcomeMismatchError(batch.length, outcomes.length);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      outcomes = batch.map(() => ({ ok: false, error }));
    }
    batch.forEach((w, i) => w.resolve(outcomes[i]));
    this.inflight--;
    this.pump();
    if (this.inflight === 0 && this.queue.length === 0) {
      for (const resolve of this.drained.splice(0)) resolve();
    }
  }
}
