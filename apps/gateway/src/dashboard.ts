import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BULL_PREFIX, MODEL_TYPES, QUEUE_NAMES } from '@cataract/contracts';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { ForbiddenError, UnauthorizedError } from './errors/access-errors';
import { markRoute } from './observability/http-metrics';
import type { EndpointInfo } from './routes/endpoint';
import { ApiKeyRing, presentedKey } from './security/api-keys';

export const DASHBOARD_PATH = '/admin/queues';

export interface DashboardCredentials {
  user: string;
  password: string;
}

export interface DashboardOptions {
  queues: readonly Queue[];
  ring: ApiKeyRing;
  /** DASHBOARD_USER / DASHBOARD_PASSWORD: HTTP basic auth for browsers. */
  basic?: DashboardCredentials;
  /** Retry, clean, pause and remove buttons only when false (DASHBOARD_READ_ONLY=false). */
  readOnly: boolean;
}

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest();
const same = (a: string, b: string) => timingSafeEqual(sha(a), sha(b));

function basicCredentials(req: Request): { user: string; password: string } | undefined {
  const m = /^Basic[ \t]+([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Queue handles for the dashboard on their own connection: the request path's connection fails
 * fast while Redis is down (no offline queue), which would break a Queue created on it before
 * Redis is up; the dashboard's may wait. One connection per worker, shared by all model queues.
 */
export function openDashboardQueues(redisUrl: string): { queues: Queue[]; close(): Promise<void> } {
  const connection = new Redis(redisUrl, { connectionName: 'gateway-dashboard', maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(100 * n, 2000) });
  connection.on('error', () => undefined); // the request path reports Redis outages
  const queues = MODEL_TYPES.map((m) => new Queue(QUEUE_NAMES[m], { connection, prefix: BULL_PREFIX }));
  for (const q of queues) q.on('error', () => undefined);
  return {
    queues,
    close: async () => {
      await Promise.allSettled(queues.map((q) => q.close()));
      connection.disconnect();
    },
  };
}

/** Whether the dashboard needs credentials at all (any API key or basic-auth pair configured). */
export function dashboardProtected(opts: Pick<DashboardOptions, 'ring' | 'basic'>): boolean {
  return opts.ring.enabled || opts.basic !== undefined;
}

/**
 * Who may open the dashboard: an API key (X-API-Key / Bearer, as for the API), basic auth with
 * DASHBOARD_USER/DASHBOARD_PASSWORD, or basic auth with any user name and an API key as password
 * (how a browser, which cannot add headers, logs in). A 401 asks browsers for basic auth.
 */
export function dashboardAuth(opts: Pick<DashboardOptions, 'ring' | 'basic'>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!dashboardProtected(opts)) return next();
    const basic = basicCredentials(req);
    if (basic) {
      const byPair = opts.basic !== undefined && same(basic.user, opts.basic.user) && same(basic.password, opts.basic.password);
      const keyId = opts.ring.enabled ? opts.ring.identify(basic.password) : undefined;
      if (byPair || keyId !== undefined) {
        if (keyId) res.locals.apiKeyId = keyId;
        return next();
      }
      return next(new UnauthorizedError('Basic')); // wrong basic credentials: let the browser ask again
    }
    const key = presentedKey(req);
    if (key === undefined) return next(new UnauthorizedError('Basic'));
    const id = opts.ring.identify(key);
    if (id === undefined) return next(new ForbiddenError());
    res.locals.apiKeyId = id;
    next();
  };
}

/**
 * The BullMQ dashboard (@bull-board) at /admin/queues over the gateway's own queue producers,
 * behind dashboardAuth. Read-only unless configured otherwise; an unprotected dashboard (no
 * API_KEYS, no DASHBOARD_USER) is always read-only, so nobody anonymous can empty a queue.
 */
export function dashboardRouter(opts: DashboardOptions): { router: Router; endpoints: EndpointInfo[]; readOnly: boolean } {
  const readOnly = opts.readOnly || !dashboardProtected(opts);
  const adapter = new ExpressAdapter();
  adapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: opts.queues.map((q) => new BullMQAdapter(q, { readOnlyMode: readOnly })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'Cataract queues' } },
  });
  const router = Router();
  router.use(DASHBOARD_PATH, markRoute, dashboardAuth(opts), adapter.getRouter() as RequestHandler);
  return {
    router,
    readOnly,
    endpoints: [{ method: 'GET', path: `${DASHBOARD_PATH}/`, description: `BullMQ queue dashboard (${readOnly ? 'read-only' : 'read-write'}; API key or basic auth)` }],
  };
}
