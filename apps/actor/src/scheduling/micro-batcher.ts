import type { BatchingStats } from '@cataract/contracts';
import { BatchOutcomeMismatchError, SchedulerClosedError } from '../errors';
import { collectingBatch, opensBatches, RuntimeBatch } from '../runtimes/runtime-batch';
import type { ModelRuntime, RuntimeOutcome } from '../runtimes/runtime';
import type { InferenceScheduler } from './scheduler';

export interface MicroBatcherOptions {
  /** Most inputs per inference (CLIP_MAX_BATCH). */
  maxBatch: number;
  /** How long a batch's first input waits for company before the batch runs anyway (CLIP_MAX_WAIT_MS). */
  maxWaitMs: number;
  /**
   * Batches running at once (waiting for their last decodes, or in inference). 2 keeps the
   * inference busy while the next batch finishes decoding.
   */
  maxInflight?: number;
}

interface Batch {
  batch: RuntimeBatch;
  callers: Array<(outcome: RuntimeOutcome) => void>;
  opened: number;
}

/**
 * Dynamic batching in front of a runtime: inputs submitted within maxWaitMs of a batch's first one
 * (up to maxBatch) run as one inference, and each caller gets back only its own outcome. Each input
 * starts its preprocessing when it arrives (runtimes that open batches, like the ONNX one), so
 * decoding overlaps both the collection window and the previous batch's inference. While every
 * inflight slot is busy the collecting batch keeps growing up to maxBatch, so batches grow under
 * load. A whole-batch failure (the inference throws) fails each of its callers with that error; a
 * bad input fails only its own caller.
 */
export class MicroBatcher implements InferenceScheduler {
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly maxInflight: number;
  private collecting: Batch | undefined;
  /** Closed batches waiting for an inflight slot. */
  private readonly sealed: Batch[] = [];
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
    return new Promise<RuntimeOutcome>((resolve, reject) => {
      try {
        this.collecting ??= { batch: this.open(), callers: [], opened: performance.now() };
        this.collecting.batch.add(input);
        this.collecting.callers.push(resolve);
      } catch (err) {
        reject(err); // e.g. the runtime is closed: nothing was added
        return;
      }
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

  /** Refuse new inputs, run what is collected at once (no waiting for company), resolve when all answered. */
  async close(): Promise<void> {
    this.closed = true;
    this.pump();
    if (this.idle()) return;
    await new Promise<void>((resolve) => this.drained.push(resolve));
  }

  private open(): RuntimeBatch {
    return opensBatches(this.runtime) ? this.runtime.openBatch(this.maxBatch) : collectingBatch(this.runtime);
  }

  /** Seals the collecting batch when it may run, starts what fits, and arms the window's timer. */
  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const c = this.collecting;
    if (c) {
      const full = c.callers.length >= this.maxBatch;
      // A window that passed while every slot was busy keeps collecting: the batch only grows.
      const due = performance.now() - c.opened >= this.maxWaitMs && this.inflight + this.sealed.length < this.maxInflight;
      if (full || due || this.closed) {
        this.sealed.push(c);
        this.collecting = undefined;
      }
    }
    while (this.inflight < this.maxInflight && this.sealed.length > 0) void this.run(this.sealed.shift()!);
    // Once every slot is busy, a finishing batch calls pump(); a timer would only spin.
    const left = this.collecting;
    if (left && this.inflight + this.sealed.length < this.maxInflight) {
      this.timer = setTimeout(() => this.pump(), Math.max(0, this.maxWaitMs - (performance.now() - left.opened)));
    }
  }

  private async run(b: Batch): Promise<void> {
    this.inflight++;
    this.batches++;
    this.batchedInputs += b.callers.length;
    let outcomes: RuntimeOutcome[];
    try {
      outcomes = await b.batch.run();
      if (outcomes.length !== b.callers.length) throw new BatchOutcomeMismatchError(b.callers.length, outcomes.length);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      outcomes = b.callers.map(() => ({ ok: false, error }));
    }
    b.callers.forEach((resolve, i) => resolve(outcomes[i]));
    this.inflight--;
    this.pump();
    if (this.idle()) for (const resolve of this.drained.splice(0)) resolve();
  }

  private idle(): boolean {
    return this.inflight === 0 && this.sealed.length === 0 && this.collecting === undefined;
  }
}
