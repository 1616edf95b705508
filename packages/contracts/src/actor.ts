import { z } from 'zod';
import { BatchingStatsSchema } from './batching';
import { ModelTypeSchema } from './model-types';

/** An actor's liveness record, rewritten every HEARTBEAT.intervalMs with a TTL of HEARTBEAT.ttlMs. */
export const ActorHeartbeatSchema = z.object({
  id: z.string().min(1),
  model: ModelTypeSchema,
  pid: z.number().int().positive(),
  host: z.string(),
  model_version: z.string(),
  started: z.iso.datetime(),
  last_seen: z.iso.datetime(),
  jobs_done: z.number().int().nonnegative(),
  concurrency: z.number().int().positive(),
  /** Present when the actor batches its inputs (clip's micro-batcher). */
  batching: BatchingStatsSchema.optional(),
});
export type ActorHeartbeat = z.infer<typeof ActorHeartbeatSchema>;

/** A missed beat or two is tolerated; a dead actor vanishes after ttlMs (Redis expires its key). */
export const HEARTBEAT = { intervalMs: 1000, ttlMs: 3000 } as const;
