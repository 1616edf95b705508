import type { BatchingStats } from '@cataract/contracts';
import type { RuntimeOutcome } from '../runtimes/runtime';

/**
 * The batching seam between jobs and the runtime: each job submits one input and awaits its
 * outcome. DirectScheduler runs every input at once (right for lgbm, whose runtime gains nothing
 * from batches); MicroBatcher collects up to N inputs or T ms, then makes one runtime.predict call.
 */
export interface InferenceScheduler {
  submit(input: Buffer): Promise<RuntimeOutcome>;
  /** Counters for the heartbeat (and GET /health); undefined for a scheduler that does not batch. */
  stats(): BatchingStats | undefined;
  /** Finish what was submitted; refuse nothing already accepted. */
  close(): Promise<void>;
}
