import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { manifestPath, MODEL_TYPES, ModelType, parseModelTypeList } from '@cataract/contracts';
import { z } from 'zod';
import { loadEnsembleSettings, type EnsembleSettings } from './ensemble/settings';
import { REPO_ROOT } from './paths';

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

const EnvSchema = z.object({
  PORT: int(8001).pipe(z.number().max(65535)),
  HOST: z.string().optional(),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  GATEWAY_WORKERS: int(4, 1),
  MAX_UPLOAD_MB: z.coerce.number().positive().default(10),
  /** Decompression-bomb limit used by the header check (defaults to @cataract/imaging's). */
  MAX_IMAGE_PIXELS: z.coerce.number().int().positive().optional(),
  REQUEST_TIMEOUT_MS: int(10000, 100),
  /** Whole request (headers + body) must arrive within this (node's server.requestTimeout; 408 after). */
  UPLOAD_TIMEOUT_MS: z.coerce.number().int().min(100).optional(),
  /** Request headers must arrive within this (node's server.headersTimeout; 408 after). */
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).optional(),
  MAX_QUEUED_PER_MODEL: int(256, 1),
  SERVED_MODELS: z.string().optional(),
  MODELS_DIR: z.string().min(1).default(join(REPO_ROOT, 'models')),
  WEB_DIST_DIR: z.string().min(1).default(join(REPO_ROOT, 'apps', 'web', 'dist')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How long a stopping worker lets in-flight requests finish before closing their sockets. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).optional(),
  /** Ensemble weights, e.g. "lgbm=0.3,clip=0.7" (default: MODELS_DIR/ensemble.json), and the cascade's unsure band "0.2-0.8". */
  ENSEMBLE_WEIGHTS: z.string().optional(),
  CASCADE_BAND: z.string().optional(),
});

export interface GatewayConfig {
  port: number;
  host: string | undefined;
  redisUrl: string;
  workers: number;
  maxUploadBytes: number;
  maxImagePixels: number | undefined;
  requestTimeoutMs: number;
  /**
   * Slow-client limits of the HTTP server. A body still arriving after REQUEST_TIMEOUT_MS could
   * only end in a 504, so by default the socket is cut (408) at that point instead of being held
   * for node's 300 s default: a slowloris upload costs one socket for seconds, not minutes.
   */
  uploadTimeoutMs: number;
  headersTimeoutMs: number;
  maxQueuedPerModel: number;
  servedModels: ModelType[];
  modelsDir: string;
  webDistDir: string;
  logLevel: string;
  shutdownGraceMs: number;
  ensemble: EnsembleSettings;
}

/** Model types whose manifest exists: what the deployment serves when SERVED_MODELS is not given. */
export function modelsWithManifest(modelsDir: string): ModelType[] {
  return MODEL_TYPES.filter((t) => existsSync(manifestPath(modelsDir, t)));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid gateway configuration: ${details}`);
  }
  const e = parsed.data;
  const uploadTimeoutMs = e.UPLOAD_TIMEOUT_MS ?? e.REQUEST_TIMEOUT_MS;
  const servedModels = e.SERVED_MODELS !== undefined ? parseModelTypeList(e.SERVED_MODELS) : modelsWithManifest(e.MODELS_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    redisUrl: e.REDIS_URL,
    workers: e.GATEWAY_WORKERS,
    maxUploadBytes: Math.floor(e.MAX_UPLOAD_MB * 1024 * 1024),
    maxImagePixels: e.MAX_IMAGE_PIXELS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    uploadTimeoutMs,
    headersTimeoutMs: Math.min(e.HEADERS_TIMEOUT_MS ?? 10_000, uploadTimeoutMs),
    maxQueuedPerModel: e.MAX_QUEUED_PER_MODEL,
    servedModels,
    modelsDir: e.MODELS_DIR,
    webDistDir: e.WEB_DIST_DIR,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS ?? e.REQUEST_TIMEOUT_MS + 2000,
    ensemble: loadEnsembleSettings(e, e.MODELS_DIR),
  };
}
