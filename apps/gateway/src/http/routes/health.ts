import { HealthActor, HealthResponse, HealthSummary, MODEL_TYPES, ModelType } from '@cataract/contracts';
import { Request, RequestHandler, Response, Router } from 'express';
import type { Redis } from '@cataract/service-kit';
import type { ActorRegistry, ActorSnapshot } from '../../dispatch/actor-registry';
import type { EndpointInfo } from './endpoint';

export interface HealthDeps {
  /** Sets res.locals.admin when the full report may be shown (security/role-guards identifyOperator). */
  operator?: RequestHandler;
  redis: Redis;
  registry: ActorRegistry;
  servedModels: readonly ModelType[];
  /** REDIS_URL, named (without its password) when Redis does not answer. */
  redisUrl?: string;
  /** Set-up problems known at start (SETUP_PROBLEMS): missing models, unwritable folders. */
  setupProblems?: readonly string[];
  /** True once this worker is shutting down: it reports not ready, so balancers stop sending to it. */
  isShuttingDown?: () => boolean;
}

/**
 * PING on the request-path connection, bounded by its commandTimeout. (No shorter timer race here:
 * under CPU pressure a timer can fire before an already-arrived PONG is read, reporting a healthy
 * Redis as down.)
 */
async function ping(redis: Redis): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}

/**
 * ok only when Redis answers, every served model type has a live actor and the set-up has no known
 * problem (200); else degraded (503), with `problems` naming what an operator has to fix.
 */
export async function healthReport(deps: HealthDeps): Promise<HealthResponse> {
  const redisOk = await ping(deps.redis);
  let snapshot: ActorSnapshot | undefined;
  if (redisOk) snapshot = await deps.registry.snapshot().catch(() => undefined);
  const actors = Object.fromEntries(
    MODEL_TYPES.map((t) => [
      t,
      (snapshot?.[t] ?? []).map((a): HealthActor => ({
        id: a.id,
        pid: a.pid,
        host: a.host,
        model_version: a.model_version,
        ...(a.versions && { versions: a.versions }), // serving, loaded (and canary, shadow, failed) versions
        last_seen: a.last_seen,
        ...(a.batching && { batching: a.batching }), // a batching actor's batch counters (avg_batch_size)
      })),
    ]),
  ) as Record<ModelType, HealthActor[]>;
  const live = MODEL_TYPES.reduce((n, t) => n + actors[t].length, 0);
  const problems = [...(deps.setupProblems ?? [])];
  if (!redisOk && deps.redisUrl) problems.push(`Redis at ${redactUrl(deps.redisUrl)} (REDIS_URL) does not answer`);
  const ok =
    redisOk && snapshot !== undefined && deps.servedModels.every((t) => actors[t].length > 0) && problems.length === 0 && !deps.isShuttingDown?.();
  return {
    status: ok ? 'ok' : 'degraded',
    redis: redisOk ? 'connected' : deps.redis.status === 'ready' ? 'unresponsive' : deps.redis.status,
    actors,
    actors_available: live,
    served_models: [...deps.servedModels],
    ray_workers_available: live,
    timestamp: new Date().toISOString(),
    ...(problems.length > 0 && { problems }),
  };
}

/** Without an operator check (no credentials configured): everyone sees the full report. */
const showDetail: RequestHandler = (_req, res, next) => {
  res.locals.admin = true;
  next();
};

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

export function healthRouter(deps: HealthDeps): { router: Router; endpoints: EndpointInfo[] } {
  const router = Router();
  router.get('/health', deps.operator ?? showDetail, async (_req: Request, res: Response) => {
    const report = await healthReport(deps);
    res
      .status(report.status === 'ok' ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json(res.locals.admin ? report : healthSummary(report));
  });
  return {
    router,
    endpoints: [{ method: 'GET', path: '/health', description: 'ok or degraded (200 / 503); the detail (Redis, actors) for operators once credentials are set' }],
  };
}

/**
 * What /health tells anyone without an operator credential once credentials are configured:
 * ok or degraded and when, nothing that maps the cluster (pids, hosts, versions, Redis state).
 * The original API's clients read `ray_workers_available`: a count, kept for them.
 */
export function healthSummary(report: HealthResponse): HealthSummary {
  return { status: report.status, ray_workers_available: report.ray_workers_available, timestamp: report.timestamp };
}
