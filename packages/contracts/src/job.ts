import { z } from 'zod';
import { ImageRejectionCodeSchema } from './error-codes';
import { LabelSchema, ProbabilitiesSchema } from './labels';
import { UPLOAD_KEY_PATTERN } from './redis-keys';
import { InputStatsSchema } from './input-stats';
import { JobTimingsSchema } from './timings';

/**
 * Payload of a prediction job. The image bytes are NOT in the job: they sit once under `uploadKey`
 * (so an ensemble enqueues two jobs over one stored upload, and BullMQ's job hashes stay small).
 */
export const PredictJobDataSchema = z.object({
  /** Only ever an upload key (redisKeys.upload): an actor reads it and may delete it, so no other key may be named here. */
  uploadKey: z.string().regex(UPLOAD_KEY_PATTERN, 'must be an upload key (cataract:upload:<id>)'),
  requestId: z.string().min(1),
  /** Epoch ms after which nobody waits for the answer: the actor drops the job instead of working for nobody. */
  deadline: z.number().int().positive(),
  /** Pub/sub channel of the gateway worker waiting for this job. */
  replyTo: z.string().min(1),
  /**
   * This job is the upload's only reader: the actor deletes the upload in the same round trip as
   * its reply, and the gateway, once answered, has nothing left to delete (one command fewer per
   * request on its side). Absent for an ensemble's jobs, whose gateway deletes the shared upload.
   */
  releaseUpload: z.boolean().optional(),
});
export type PredictJobData = z.infer<typeof PredictJobDataSchema>;

/** A job's return value when the model answered. */
export const PredictionResultSchema = z.object({
  status: z.literal('ok'),
  prediction: LabelSchema,
  confidence: z.number().min(0).max(1),
  probabilities: ProbabilitiesSchema,
  model_version: z.string().min(1),
  actor_id: z.string().min(1),
  /** The actor's own timings (for the gateway's metrics; never sent to clients). */
  timings: JobTimingsSchema.optional(),
  /** What the image looked like to the model (drift monitoring; absent from older actors). */
  input_stats: InputStatsSchema.optional(),
});
export type PredictionResult = z.infer<typeof PredictionResultSchema>;

/**
 * A job's return value when the actor refused the image (client input error). Returned, not thrown,
 * so BullMQ never retries it and the gateway can answer 415 with the actor's reason.
 */
export const RejectionResultSchema = z.object({
  status: z.literal('rejected'),
  error: z.object({ code: ImageRejectionCodeSchema, message: z.string() }),
  /** The version that refused it (absent from actors older than the versioned store). */
  model_version: z.string().min(1).optional(),
  actor_id: z.string().min(1),
  timings: JobTimingsSchema.optional(),
});
export type RejectionResult = z.infer<typeof RejectionResultSchema>;

export const PredictJobResultSchema = z.discriminatedUnion('status', [PredictionResultSchema, RejectionResultSchema]);
export type PredictJobResult = z.infer<typeof PredictJobResultSchema>;

/** Job options both sides agree on. */
export const JOB_DEFAULTS = {
  /** Transient failures retry; the actor refuses a job whose deadline passed, so retries never outlive the request. */
  attempts: 3,
  backoffMs: 50,
  /** Capped, never `true`: immediate removal races readers of the stored state (measured: 1-7 % "Missing key"). */
  keepCompleted: 1000,
  keepFailed: 1000,
} as const;
