import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors';
import type { ModelType } from '@cataract/contracts';

/** The repository root, from either src/ (ts-jest) or dist/ (runtime): both sit at apps/supervisor/<dir>. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

const count = (fallback: number) => z.coerce.number().int().min(0).max(64).default(fallback);
const millis = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8001),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).default('redis://127.0.0.1:6379'),
  LGBM_ACTORS: count(defaultLgbmActors()),
  CLIP_ACTORS: count(1),
  MODELS_DIR: z.string().min(1).default(path.join(REPO_ROOT, 'models')),
  SHUTDOWN_GRACE_MS: millis(10_000),
  REDIS_PROBE_TIMEOUT_MS: millis(1_000),
  RESTART_INITIAL_MS: millis(500),
  RESTART_MAX_MS: millis(10_000),
  RESTART_RESET_AFTER_MS: millis(30_000),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  // Test hooks: run stand-in programs instead of the real gateway / actor builds.
  SUPERVISOR_GATEWAY_ENTRY: z.string().min(1).default(path.join(REPO_ROOT, 'apps/gateway/dist/main.js')),
  SUPERVISOR_ACTOR_ENTRY: z.string().min(1).default(path.join(REPO_ROOT, 'apps/actor/dist/main.js')),
});

export interface SupervisorConfig {
  port: number;
  redisUrl: string;
  /** Wanted actor processes per model type (0 = none). */
  actors: Record<ModelType, number>;
  modelsDir: string;
  shutdownGraceMs: number;
  redisProbeTimeoutMs: number;
  restart: { initialMs: number; maxMs: number; resetAfterMs: number };
  logLevel: string;
  gatewayEntry: string;
  actorEntry: string;
}

/**
 * lgbm actors when LGBM_ACTORS is not set: one per CPU, at most 4. An lgbm actor's feature code
 * runs on its one JS thread, which is what limits it: one actor left CPU idle under load
 * (docs/performance.md, "Settings that help"; `npm run bench:load -- --env LGBM_ACTORS=2`). A clip actor already spreads its work over threads
 * (inference in a worker thread, decoding in libuv's pool), and batches better alone: 1.
 */
export function defaultLgbmActors(cpus = availableParallelism()): number {
  return Math.max(1, Math.min(4, cpus));
}

/** Reads the supervisor's settings from the environment; an empty variable counts as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SupervisorConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      'invalid environment',
      parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`),
    );
  }
  const e = parsed.data;
  if (e.RESTART_MAX_MS < e.RESTART_INITIAL_MS) {
    throw new ConfigError('invalid environment', ['RESTART_MAX_MS must be >= RESTART_INITIAL_MS']);
  }
  const actors = { lgbm: e.LGBM_ACTORS, clip: e.CLIP_ACTORS } satisfies Record<ModelType, number>;
  return {
    port: e.PORT,
    redisUrl: e.REDIS_URL,
    actors,
    modelsDir: path.resolve(e.MODELS_DIR),
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    redisProbeTimeoutMs: e.REDIS_PROBE_TIMEOUT_MS,
    restart: { initialMs: e.RESTART_INITIAL_MS, maxMs: e.RESTART_MAX_MS, resetAfterMs: e.RESTART_RESET_AFTER_MS },
    logLevel: e.LOG_LEVEL,
    gatewayEntry: path.resolve(e.SUPERVISOR_GATEWAY_ENTRY),
    actorEntry: path.resolve(e.SUPERVISOR_ACTOR_ENTRY),
  };
}
