import { z } from 'zod';

/**
 * How an actor spent a job, carried in the job's result so the gateway (which owns /metrics) can
 * expose per-model histograms without scraping every actor. Milliseconds, measured by the actor.
 */
export const JobTimingsSchema = z.object({
  /** From enqueue (job.timestamp) to an actor taking the job (job.processedOn). */
  queue_wait_ms: z.number().nonnegative(),
  /** From taking the job to its result: upload read, batching wait, preprocessing and inference. */
  processing_ms: z.number().nonnegative(),
  /** Decode + resize + features/tensor for this input, when the runtime reports it. */
  preprocess_ms: z.number().nonnegative().optional(),
  /** The model run that answered this input (a whole batch's run for a batched runtime), when reported. */
  inference_ms: z.number().nonnegative().optional(),
  /** Inputs in the runtime call that answered this job (1 without batching). */
  batch_size: z.number().int().positive(),
});
export type JobTimings = z.infer<typeof JobTimingsSchema>;
