import { MicroBatcher, type MicroBatcherOptions } from './micro-batcher';
import type { ModelRuntime, RuntimeOutcome } from './runtimes/runtime';

/**
 * The batching seam between jobs and the runtime: each job submits one input and awaits its
 * outcome. DirectScheduler runs every input at once (right for lgbm, whose runtime gains nothing
 * from batches); a micro-batching scheduler (collect up to N inputs or T ms, then one
 * runtime.predict call) implements the same interface.
 */
export interface InferenceScheduler {
  submit(input: Buffer): Promise<RuntimeOutcome>;
  /** Finish what was submitted; refuse nothing already accepted. */
  close(): Promise<void>;
}

export class DirectScheduler implements InferenceScheduler {
  constructor(private readonly runtime: ModelRuntime) {}

  async submit(input: Buffer): Promise<RuntimeOutcome> {
    const [outcome] = await this.runtime.predict([input]);
    return outcome;
  }

  async close(): Promise<void> {}
}

/** Picks the scheduler a runtime wants: batch size 1 runs direct, larger ones go through the micro-batcher. */
export function createScheduler(runtime: ModelRuntime, batching?: Omit<MicroBatcherOptions, 'maxBatch'>): InferenceScheduler {
  if (batching && runtime.preferredBatchSize > 1) return new MicroBatcher(runtime, { ...batching, maxBatch: runtime.preferredBatchSize });
  return new DirectScheduler(runtime);
}
