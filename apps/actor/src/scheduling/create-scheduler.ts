import type { ModelRuntime } from '../runtimes/runtime';
import { DirectScheduler } from './direct-scheduler';
import { MicroBatcher, type MicroBatcherOptions } from './micro-batcher';
import type { InferenceScheduler } from './scheduler';

/** Picks the scheduler a runtime wants: batch size 1 runs direct, larger ones go through the micro-batcher. */
export function createScheduler(runtime: ModelRuntime, batching?: Omit<MicroBatcherOptions, 'maxBatch'>): InferenceScheduler {
  if (batching && runtime.preferredBatchSize > 1) return new MicroBatcher(runtime, { ...batching, maxBatch: runtime.preferredBatchSize });
  return new DirectScheduler(runtime);
}
