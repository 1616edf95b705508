import { z } from 'zod';
import { BatchingStatsSchema } from './batching';
import { ModelTypeSchema } from './model-types';

/** What an actor reports of the versioned model store (see @cataract/model-store). */
export const ActorVersionsSchema = z.object({
  /** The version answering requests outside a canary. */
  serving: z.string(),
  /** Every version held in memory (serving, canary, shadow, and one being prepared for a promotion). */
  loaded: z.array(z.string()),
  canary: z.object({ version: z.string(), percent: z.number() }).optional(),
  shadow: z.string().optional(),
  /** Versions this actor could not load or warm up, with the reason (a promotion of one is refused). */
  failed: z.record(z.string(), z.string()).optional(),
  /** The last prepare request (PrepareRequest.id) this actor has acted on: its `loaded` and `failed` answer it. */
  prepare_id: z.string().optional(),
});
export type ActorVersions = z.infer<typeof ActorVersionsSchema>;

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
  /** The model versions this actor holds: which answers, which are loaded, which failed to load (versioned store). */
  versions: ActorVersionsSchema.optional(),
  /** Present when the actor batches its inputs (clip's micro-batcher). */
  batching: BatchingStatsSchema.optional(),
});
export type ActorHeartbeat = z.infer<typeof ActorHeartbeatSchema>;

/** A missed beat or two is tolerated; a dead actor vanishes after ttlMs (Redis expires its key). */
export const HEARTBEAT = { intervalMs: 1000, ttlMs: 3000 } as const;
