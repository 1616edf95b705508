import { z } from 'zod';

/**
 * Micro-batching counters of an actor whose scheduler batches inputs (clip), published in its
 * heartbeat and shown per actor on GET /health. Counters are cumulative since the actor started.
 */
export const BatchingStatsSchema = z.object({
  /** Configured ceiling (CLIP_MAX_BATCH) and collection window (CLIP_MAX_WAIT_MS). */
  max_batch: z.number().int().positive(),
  max_wait_ms: z.number().nonnegative(),
  /** Inferences run, and inputs they carried. */
  batches: z.number().int().nonnegative(),
  batched_inputs: z.number().int().nonnegative(),
  /** batched_inputs / batches (0 before the first batch). */
  avg_batch_size: z.number().nonnegative(),
});
export type BatchingStats = z.infer<typeof BatchingStatsSchema>;
