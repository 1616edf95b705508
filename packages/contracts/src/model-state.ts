import { z } from 'zod';
import { ModelVersionSchema } from './manifest';

/**
 * Cluster-wide serving state of one model type, kept in Redis (redisKeys.modelState) so every
 * actor and gateway agrees. Absent: the type serves the store's default (models/<type>/default).
 */
export const ModelStateSchema = z.object({
  serving: ModelVersionSchema,
  /** What `rollback` returns to. */
  previous: ModelVersionSchema.optional(),
  /** Answers `percent` % of requests (chosen by request id), the rest go to `serving`. */
  canary: z.object({ version: ModelVersionSchema, percent: z.number().gt(0).max(100) }).optional(),
  /** Also runs on a copy of live requests; never answers. */
  shadow: z.object({ version: ModelVersionSchema }).optional(),
  /** Bumped by every change, so a follower can tell a new state from one it already applied. */
  revision: z.number().int().nonnegative(),
  updated_at: z.iso.datetime(),
});
export type ModelState = z.infer<typeof ModelStateSchema>;

/** A version the actors load and warm before a change makes it answer (redisKeys.modelPrepare). */
export const PrepareRequestSchema = z.object({ version: ModelVersionSchema, id: z.string().min(1) });
export type PrepareRequest = z.infer<typeof PrepareRequestSchema>;

/**
 * Which version answers a request: the canary for `percent` % of request ids, else the serving one.
 * The split hashes the request id (FNV-1a), so every actor, and a retry of the same job, decides alike.
 */
export function versionForRequest(state: Pick<ModelState, 'serving' | 'canary'>, requestId: string): string {
  if (!state.canary) return state.serving;
  return bucketOf(requestId) < state.canary.percent * 100 ? state.canary.version : state.serving;
}

/** 0..9999 from a string (FNV-1a 32-bit). */
export function bucketOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 10000;
}
