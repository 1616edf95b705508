import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { HEARTBEAT, ModelType, ModelTypeSchema } from '@cataract/contracts';
import { z } from 'zod';
import { REPO_ROOT } from './paths';

/**
 * Per model type: lgbm jobs are a decode (sharp's pool) + feature arithmetic and microseconds of
 * trees (main thread), so many run at once: 16 kept the decode pool and the main thread busy with
 * the least CPU per request at 50 concurrent uploads on 2 cores (8 and 32 cost 12-27 % more
 * in `node bench/load/ab.mjs`; docs/performance.md, "Settings that help"). clip takes at least two batches' worth of jobs at once,
 * so one batch collects while the previous one runs.
 */
const DEFAULT_CONCURRENCY: Record<ModelType, (maxBatch: number) => number> = { lgbm: () => 16, clip: (maxBatch) => Math.max(16, 2 * maxBatch) };

/**
 * Warm-up predictions before an actor registers (warmup.ts). lgbm: its per-image cost settles
 * after about a hundred runs; clip: onnxruntime's first runs size its buffers, a few suffice
 * (docs/performance.md, "The first seconds after a start").
 */
const DEFAULT_WARMUP_RUNS: Record<ModelType, number> = { lgbm: 120, clip: 8 };

/**
 * Warm-up predictions of a version loaded beside a serving one (a promotion, canary or shadow): the
 * process's code is already optimised, so these only prove the new model answers before it may,
 * while taking little from the live requests (clip: one batch of each shape, 1 and CLIP_MAX_BATCH).
 */
const DEFAULT_SWITCH_WARMUP_RUNS: Record<ModelType, number> = { lgbm: 4, clip: 2 };

/**
 * Shadow copies at once per actor. An lgbm copy reuses the answer's features (feature-memo.ts) and
 * costs a tree walk, so it may follow every job in flight: the replies of several jobs arrive in one
 * read and their copies start together. A clip copy is a whole inference: one at a time, the rest
 * are counted as skipped.
 */
const DEFAULT_SHADOW_MAX_INFLIGHT: Record<ModelType, number> = { lgbm: 16, clip: 1 };

const EnvSchema = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  MODELS_DIR: z.string().min(1).default(join(REPO_ROOT, 'models')),
  ACTOR_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
  ACTOR_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, . _ - only')
    .optional(),
  /** A SIGKILLed actor's jobs go back to the queue after at most lockDuration + 2 x stalledInterval. */
  ACTOR_LOCK_DURATION_MS: z.coerce.number().int().min(500).default(4000),
  ACTOR_STALLED_INTERVAL_MS: z.coerce.number().int().min(100).default(1000),
  ACTOR_MAX_STALLED_COUNT: z.coerce.number().int().min(1).default(2),
  ACTOR_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(50).default(HEARTBEAT.intervalMs),
  ACTOR_HEARTBEAT_TTL_MS: z.coerce.number().int().min(100).default(HEARTBEAT.ttlMs),
  MAX_IMAGE_PIXELS: z.coerce.number().int().positive().optional(),
  /** Predictions on rendered photos before registering (0: none; default per model type). */
  ACTOR_WARMUP_RUNS: z.coerce.number().int().min(0).max(10_000).optional(),
  ACTOR_SWITCH_WARMUP_RUNS: z.coerce.number().int().min(0).max(10_000).optional(),
  /** The cluster model state is re-read this often, under its pub/sub announcements (a missed one). */
  ACTOR_MODEL_STATE_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  /** Shadow copies running at once per actor; requests beyond are not copied (counted as skipped). */
  ACTOR_SHADOW_MAX_INFLIGHT: z.coerce.number().int().min(0).max(64).optional(),
  /** How long SIGTERM waits for running jobs before giving up on them (they then stall over to another actor). */
  ACTOR_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(15000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * V8's interrupt budget (bytecode a function runs before V8 considers optimising it); 0 keeps
   * V8's own (66 KB in Node 20, `node --v8-options`). Lower means hot functions reach optimised code sooner: a process
   * runs each function of a request's path once per request, so with the default it served tens of
   * seconds of traffic from unoptimised code after every start (docs/performance.md, "The first seconds after a start").
   */
  V8_INTERRUPT_BUDGET: z.coerce.number().int().min(0).default(4096),
  /** Also append logs to LOG_DIR/actor-<model>.log ("" as Compose passes an unset variable: off). */
  LOG_DIR: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().optional()),
  /**
   * clip micro-batching: most inputs per inference, and how long the oldest waits for company.
   * 4: on the 2-core target, MobileNetV2 is no cheaper per image in larger batches and degrades
   * under CPU contention from batch 8 up (docs/performance.md, "Clip micro-batching").
   */
  CLIP_MAX_BATCH: z.coerce.number().int().min(1).max(128).default(4),
  CLIP_MAX_WAIT_MS: z.coerce.number().min(0).max(1000).default(5),
  /** Batches in flight at once: 2 lets one batch decode while the previous one is in inference. */
  CLIP_MAX_INFLIGHT_BATCHES: z.coerce.number().int().min(1).max(8).default(2),
  /** onnxruntime threads per inference. */
  ORT_INTRA_OP_THREADS: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * TEST-ONLY fault injection: every inference takes this many ms longer (the fault tests' "slow
   * model"). Refused when NODE_ENV=production; logged as a warning at start.
   */
  ACTOR_FAULT_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
});

export interface ActorConfig {
  model: ModelType;
  redisUrl: string;
  modelsDir: string;
  concurrency: number;
  actorId: string;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  heartbeatIntervalMs: number;
  heartbeatTtlMs: number;
  maxImagePixels: number | undefined;
  /** Warm-up predictions before the actor registers (0: none). */
  warmupRuns: number;
  /** Warm-up predictions of a version loaded while serving (promotion, canary, shadow). */
  switchWarmupRuns: number;
  modelStatePollMs: number;
  shadowMaxInflight: number;
  shutdownGraceMs: number;
  logLevel: string;
  /** V8_INTERRUPT_BUDGET: applied by main.ts before anything else runs (0: V8's default). */
  interruptBudget: number;
  logDir: string | undefined;
  /** Micro-batching of the onnx runtime (maxBatch 1: no batching, every job runs on its own). */
  batching: { maxBatch: number; maxWaitMs: number; maxInflight: number };
  intraOpThreads: number;
  /** Test-only extra latency per inference (ACTOR_FAULT_DELAY_MS); 0 in any real deployment. */
  faultDelayMs: number;
}

/** `--model lgbm`, `--model=lgbm` (or ACTOR_MODEL). */
export function parseModelArg(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ModelType {
  let value: string | undefined = env.ACTOR_MODEL;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--model') value = argv[++i];
    else if (a.startsWith('--model=')) value = a.slice('--model='.length);
  }
  const parsed = ModelTypeSchema.safeParse(value);
  if (!parsed.success) throw new Error(`usage: actor --model lgbm|clip (got ${value === undefined ? 'nothing' : JSON.stringify(value)})`);
  return parsed.data;
}

export function loadConfig(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): ActorConfig {
  const model = parseModelArg(argv, env);
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid actor configuration: ${details}`);
  }
  const e = parsed.data;
  const maxBatch = model === 'clip' ? e.CLIP_MAX_BATCH : 1;
  const concurrency = e.ACTOR_CONCURRENCY ?? DEFAULT_CONCURRENCY[model](maxBatch);
  if (concurrency < maxBatch) {
    // Fewer jobs in flight than a batch holds: batches could never fill and every input would wait CLIP_MAX_WAIT_MS.
    throw new Error(`invalid actor configuration: ACTOR_CONCURRENCY (${concurrency}) must be at least CLIP_MAX_BATCH (${maxBatch})`);
  }
  if (e.ACTOR_HEARTBEAT_TTL_MS <= e.ACTOR_HEARTBEAT_INTERVAL_MS) {
    throw new Error('invalid actor configuration: ACTOR_HEARTBEAT_TTL_MS must exceed ACTOR_HEARTBEAT_INTERVAL_MS');
  }
  if (e.ACTOR_FAULT_DELAY_MS > 0 && env.NODE_ENV === 'production') {
    throw new Error('invalid actor configuration: ACTOR_FAULT_DELAY_MS is a test-only fault injection, refused when NODE_ENV=production');
  }
  return {
    model,
    redisUrl: e.REDIS_URL,
    modelsDir: e.MODELS_DIR,
    concurrency,
    actorId: e.ACTOR_ID ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`,
    lockDurationMs: e.ACTOR_LOCK_DURATION_MS,
    stalledIntervalMs: e.ACTOR_STALLED_INTERVAL_MS,
    maxStalledCount: e.ACTOR_MAX_STALLED_COUNT,
    heartbeatIntervalMs: e.ACTOR_HEARTBEAT_INTERVAL_MS,
    heartbeatTtlMs: e.ACTOR_HEARTBEAT_TTL_MS,
    maxImagePixels: e.MAX_IMAGE_PIXELS,
    warmupRuns: e.ACTOR_WARMUP_RUNS ?? DEFAULT_WARMUP_RUNS[model],
    switchWarmupRuns: e.ACTOR_SWITCH_WARMUP_RUNS ?? DEFAULT_SWITCH_WARMUP_RUNS[model],
    modelStatePollMs: e.ACTOR_MODEL_STATE_POLL_MS,
    shadowMaxInflight: e.ACTOR_SHADOW_MAX_INFLIGHT ?? DEFAULT_SHADOW_MAX_INFLIGHT[model],
    shutdownGraceMs: e.ACTOR_SHUTDOWN_GRACE_MS,
    logLevel: e.LOG_LEVEL,
    interruptBudget: e.V8_INTERRUPT_BUDGET,
    logDir: e.LOG_DIR,
    batching: { maxBatch, maxWaitMs: e.CLIP_MAX_WAIT_MS, maxInflight: e.CLIP_MAX_INFLIGHT_BATCHES },
    intraOpThreads: e.ORT_INTRA_OP_THREADS,
    faultDelayMs: e.ACTOR_FAULT_DELAY_MS,
  };
}
