import { join } from 'node:path';
import { ModelType, parseModelTypeList } from '@cataract/contracts';
import { typesWithModels } from '@cataract/model-store';
import { z } from 'zod';
import { loadEnsembleSettings, type EnsembleSettings } from './ensemble/settings';
import { REPO_ROOT } from './paths';
import { loadDriftSettings, type DriftSettings } from './drift/drift-settings';
import { parseApiKeys } from './http/security/api-keys';
import { parseOrigins } from './http/security/cors';
import { parseReviewerKeys } from './http/security/reviewers';
import { parseTrustProxy } from './http/security/trust-proxy';

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
/** Compose passes unset variables as "" (`${NAME:-}`): treat them as unset. */
const unsetIfBlank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = () => z.preprocess(unsetIfBlank, z.string().optional());
const flag = (def: boolean) =>
  z
    .preprocess((v) => (typeof unsetIfBlank(v) === 'string' ? String(v).trim().toLowerCase() : undefined), z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).optional())
    .transform((v) => (v === undefined ? def : ['true', '1', 'yes', 'on'].includes(v)));

const EnvSchema = z.object({
  PORT: int(8001).pipe(z.number().max(65535)),
  HOST: z.string().optional(),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  GATEWAY_WORKERS: int(4, 1),
  /** Uploads a starting worker sends itself before it listens (process/warmup/); 0: none. */
  GATEWAY_WARMUP_REQUESTS: int(300).pipe(z.number().max(100_000)),
  /** Longest a worker's warm-up may take before it listens anyway, partly cold. */
  GATEWAY_WARMUP_MAX_MS: int(30_000, 100),
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
  /**
   * V8's interrupt budget (bytecode a function runs before V8 considers optimising it); 0 keeps
   * V8's own (66 KB in Node 20, `node --v8-options`). Lower means hot functions reach optimised code sooner: a process
   * runs each function of a request's path once per request, so with the default it served tens of
   * seconds of traffic from unoptimised code after every start (docs/performance.md, "The first seconds after a start").
   */
  V8_INTERRUPT_BUDGET: z.coerce.number().int().min(0).default(4096),
  /**
   * Largest semi-space of a worker's young generation, in MB (node's --max-semi-space-size); 0
   * keeps V8's own (16 MB here). Each upload allocates its body, multipart parts and the reply on
   * the young generation: a larger one is scavenged less often, which lowers the gateway's CPU per
   * request (docs/performance.md, "The first seconds after a start"). Costs up to 3 x the
   * difference in memory per worker (~50 MB).
   */
  GATEWAY_SEMI_SPACE_MB: z.coerce.number().int().min(0).max(1024).default(32),
  /** How long a stopping worker lets in-flight requests finish before closing their sockets. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).optional(),
  /** Ensemble weights, e.g. "lgbm=0.3,clip=0.7" (default: MODELS_DIR/ensemble.json), and the cascade's unsure band "0.2-0.8". */
  ENSEMBLE_WEIGHTS: z.string().optional(),
  CASCADE_BAND: z.string().optional(),
  /** Comma-separated client keys (they predict); unset or empty: no authentication (logged loudly at start). */
  API_KEYS: optionalText(),
  /** Comma-separated operator keys (dashboard, /metrics, detailed /health); never accepted for predictions. */
  ADMIN_KEYS: optionalText(),
  /** Comma-separated client keys, or their key ids, that may POST /feedback; unset: every client key (security/reviewers.ts). */
  REVIEWER_KEYS: optionalText(),
  /** POST /predict_batch: photos per request, their total size, and photos in flight at once per request. */
  MAX_BATCH_FILES: z.preprocess(unsetIfBlank, z.coerce.number().int().min(1).max(256).default(16)),
  MAX_BATCH_MB: z.preprocess(unsetIfBlank, z.coerce.number().positive().default(64)),
  BATCH_CONCURRENCY: z.preprocess(unsetIfBlank, z.coerce.number().int().min(1).max(64).default(4)),
  /** Decode-cost units one client (key, or address without keys) may have in flight; 0: no limit (security/fair-share.ts). */
  MAX_INFLIGHT_PER_CLIENT: z.preprocess(unsetIfBlank, z.coerce.number().int().min(0).default(64)),
  /** Refused credentials (401/403) per address per minute before refusals turn into 429s; 0: no limit. */
  AUTH_FAILURES_PER_MINUTE: z.preprocess(unsetIfBlank, z.coerce.number().int().min(0).default(30)),
  /** Requests per minute per key (per address without keys), shared by every worker and replica; 0: no limit. */
  RATE_LIMIT_PER_MINUTE: z.preprocess(unsetIfBlank, z.coerce.number().int().min(0).optional()),
  /** Comma-separated origins allowed to call the API from browsers ("*": any); none by default. */
  CORS_ORIGINS: optionalText(),
  /** Addresses or CIDR subnets of the proxies whose X-Forwarded-For is believed (security/trust-proxy.ts); none by default. */
  TRUST_PROXY: optionalText(),
  /** Also append logs to LOG_DIR/gateway.log. */
  LOG_DIR: optionalText(),
  DASHBOARD_USER: optionalText(),
  DASHBOARD_PASSWORD: optionalText(),
  DASHBOARD_READ_ONLY: flag(true),
  /** Keep every answered upload with a JSON sidecar under CUSTOMER_DATA_DIR (medical images: opt in). */
  SAVE_UPLOADS: flag(false),
  CUSTOMER_DATA_DIR: z.preprocess(unsetIfBlank, z.string().min(1).default(join(REPO_ROOT, 'customer_data'))),
  /** Retained records older than this many days are deleted; 0 keeps them forever. */
  CUSTOMER_DATA_MAX_DAYS: z.preprocess(unsetIfBlank, z.coerce.number().int().min(0).default(30)),
  /** Set-up problems found by whoever started us (the supervisor: missing models, unwritable folders), JSON list. */
  SETUP_PROBLEMS: z.preprocess(unsetIfBlank, z.string().optional()),
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
  /** V8_INTERRUPT_BUDGET: applied by main.ts before anything else runs (0: V8's default). */
  interruptBudget: number;
  /** GATEWAY_SEMI_SPACE_MB: passed to the workers by the primary (0: V8's default). */
  semiSpaceMb: number;
  /** GATEWAY_WARMUP_REQUESTS: loopback uploads a worker serves itself before it listens. */
  warmupRequests: number;
  /** GATEWAY_WARMUP_MAX_MS: past this, a worker stops its warm-up and listens. */
  warmupMaxMs: number;
  shutdownGraceMs: number;
  ensemble: EnsembleSettings;
  /** API_KEYS (clients); empty: predictions need no key. */
  apiKeys: string[];
  /** ADMIN_KEYS (operators). */
  adminKeys: string[];
  /** REVIEWER_KEYS as key ids; empty: every client key may review. */
  reviewerKeyIds: string[];
  /** MAX_BATCH_FILES, MAX_BATCH_MB (in bytes), BATCH_CONCURRENCY. */
  batch: { maxFiles: number; maxTotalBytes: number; concurrency: number };
  /** MAX_INFLIGHT_PER_CLIENT, decode-cost units; 0: off. */
  maxInFlightPerClient: number;
  /** AUTH_FAILURES_PER_MINUTE per address; 0: off. */
  authFailuresPerMinute: number;
  /** RATE_LIMIT_PER_MINUTE; 0: off. */
  rateLimitPerMinute: number;
  corsOrigins: string[];
  trustProxy: string[] | false;
  logDir: string | undefined;
  dashboard: { basic: { user: string; password: string } | undefined; readOnly: boolean };
  saveUploads: boolean;
  customerDataDir: string;
  customerDataMaxDays: number;
  /** Named in /health (status degraded) and logged at start. */
  setupProblems: string[];
  /** DRIFT_*: window and thresholds of GET /drift_status (drift/drift-settings.ts). */
  drift: DriftSettings;
}

/** Model types with a default version in the store: what the deployment serves when SERVED_MODELS is not given. */
export function modelsWithManifest(modelsDir: string): ModelType[] {
  return typesWithModels(modelsDir);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid gateway configuration: ${details}`);
  }
  const e = parsed.data;
  if ((e.DASHBOARD_USER === undefined) !== (e.DASHBOARD_PASSWORD === undefined)) {
    throw new Error('invalid gateway configuration: DASHBOARD_USER and DASHBOARD_PASSWORD go together');
  }
  const apiKeys = parseApiKeys(e.API_KEYS);
  const adminKeys = parseApiKeys(e.ADMIN_KEYS);
  if (adminKeys.some((k) => apiKeys.includes(k))) {
    throw new Error('invalid gateway configuration: a key is in both API_KEYS and ADMIN_KEYS (a client key must never be an operator credential)');
  }
  let reviewerKeyIds: string[];
  try {
    reviewerKeyIds = parseReviewerKeys(e.REVIEWER_KEYS, apiKeys);
  } catch (err) {
    throw new Error(`invalid gateway configuration: ${(err as Error).message}`);
  }
  let trustProxy: string[] | false;
  try {
    trustProxy = parseTrustProxy(e.TRUST_PROXY);
  } catch (err) {
    throw new Error(`invalid gateway configuration: ${(err as Error).message}`);
  }
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
    interruptBudget: e.V8_INTERRUPT_BUDGET,
    semiSpaceMb: e.GATEWAY_SEMI_SPACE_MB,
    warmupRequests: e.GATEWAY_WARMUP_REQUESTS,
    warmupMaxMs: e.GATEWAY_WARMUP_MAX_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS ?? e.REQUEST_TIMEOUT_MS + 2000,
    ensemble: loadEnsembleSettings(e, e.MODELS_DIR),
    apiKeys,
    adminKeys,
    reviewerKeyIds,
    batch: { maxFiles: e.MAX_BATCH_FILES, maxTotalBytes: Math.floor(e.MAX_BATCH_MB * 1024 * 1024), concurrency: e.BATCH_CONCURRENCY },
    maxInFlightPerClient: e.MAX_INFLIGHT_PER_CLIENT,
    authFailuresPerMinute: e.AUTH_FAILURES_PER_MINUTE,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE ?? 0,
    corsOrigins: parseOrigins(e.CORS_ORIGINS),
    trustProxy,
    logDir: e.LOG_DIR,
    dashboard: {
      basic: e.DASHBOARD_USER !== undefined && e.DASHBOARD_PASSWORD !== undefined ? { user: e.DASHBOARD_USER, password: e.DASHBOARD_PASSWORD } : undefined,
      readOnly: e.DASHBOARD_READ_ONLY,
    },
    saveUploads: e.SAVE_UPLOADS,
    customerDataDir: e.CUSTOMER_DATA_DIR,
    customerDataMaxDays: e.CUSTOMER_DATA_MAX_DAYS,
    setupProblems: parseSetupProblems(e.SETUP_PROBLEMS),
    drift: loadDriftSettings(env),
  };
}

/** SETUP_PROBLEMS: a JSON list of sentences; anything else is itself reported as the problem. */
function parseSetupProblems(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = undefined;
  }
  const parsed = z.array(z.string()).safeParse(json);
  return parsed.success ? parsed.data : [`SETUP_PROBLEMS is not a JSON list of strings: ${raw.slice(0, 200)}`];
}

/** Node flags the primary gives its workers on top of its own (GATEWAY_SEMI_SPACE_MB). */
export function workerNodeFlags(config: Pick<GatewayConfig, 'semiSpaceMb'>): string[] {
  return config.semiSpaceMb > 0 ? [`--max-semi-space-size=${config.semiSpaceMb}`] : [];
}
