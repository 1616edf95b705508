import { z } from 'zod';
import { ActorHeartbeatSchema } from './actor';
import { ErrorDetailSchema } from './error-codes';
import { LabelSchema, ProbabilitiesSchema } from './labels';
import { ModelTypeSchema } from './model-types';

/** 200 answer of POST /predict_<model> (field names follow the original Python API). */
export const PredictionResponseSchema = z.object({
  prediction: LabelSchema,
  confidence: z.number().min(0).max(1),
  probabilities: ProbabilitiesSchema,
  model_used: ModelTypeSchema,
  model_version: z.string(),
  /** Seconds from the gateway receiving the request to its reply. */
  processing_time: z.number().nonnegative(),
  actor_id: z.string(),
  request_id: z.string(),
  /** Compatibility field: when the answer was made (ISO 8601), as the original API's clients read it. */
  timestamp: z.iso.datetime(),
});
export type PredictionResponse = z.infer<typeof PredictionResponseSchema>;

export const ErrorResponseSchema = z.object({ error: ErrorDetailSchema, request_id: z.string() });
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

export const HealthActorSchema = ActorHeartbeatSchema.pick({ id: true, pid: true, host: true, model_version: true, versions: true, last_seen: true, batching: true });
export type HealthActor = z.infer<typeof HealthActorSchema>;

export const HealthResponseSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  redis: z.string(),
  actors: z.record(ModelTypeSchema, z.array(HealthActorSchema)),
  actors_available: z.number().int().nonnegative(),
  served_models: z.array(ModelTypeSchema),
  /** Compatibility field of the original API's /health (its Ray workers): live actors, = actors_available. */
  ray_workers_available: z.number().int().nonnegative(),
  timestamp: z.iso.datetime(),
  /** What keeps the service from being ok that an operator has to fix (missing models, unwritable folders, Redis). */
  problems: z.array(z.string()).optional(),
});
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

/**
 * GET /health for anyone without an operator credential once credentials are configured: whether
 * the service is ok, nothing about its processes, hosts or Redis (the full report needs an admin).
 */
export const HealthSummarySchema = HealthResponseSchema.pick({ status: true, ray_workers_available: true, timestamp: true });
export type HealthSummary = z.infer<typeof HealthSummarySchema>;
