import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BULL_PREFIX, MODEL_TYPES, QUEUE_NAMES } from '@cataract/contracts';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { RequestHandler, Router } from 'express';
import { dashboardJobValidation } from './dashboard-jobs';
import { markRoute } from '../observability/http-metrics';
import type { EndpointInfo } from './routes/endpoint';
import type { RefusalHandler } from './security/auth-failures';
import { requireAdmin } from './security/role-guards';
import type { Roles } from './security/roles';
import { sameOriginWrites } from './security/same-origin';

export const DASHBOARD_PATH = '/admin/queues';

export interface DashboardOptions {
  queues: readonly Queue[];
  /** Who is an operator (ADMIN_KEYS, DASHBOARD_USER / DASHBOARD_PASSWORD). */
  roles: Roles;
  /** Counts wrong credentials per address (auth-failures.ts). */
  refuse: RefusalHandler;
  /** Retry, clean, pause, add and remove buttons only when false (DASHBOARD_READ_ONLY=false). */
  readOnly: boolean;
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

/**
 * The BullMQ dashboard (@bull-board) at /admin/queues over the gateway's own queue producers, for
 * operators only (requireAdmin: an admin key, or basic auth as the dashboard user or with an admin
 * key as password; never a client key, whose holder would otherwise read every client's jobs).
 * Read-only unless configured otherwise and an operator credential exists, so nobody anonymous can
 * empty a queue. A read-write dashboard takes changes only from its own page (sameOriginWrites),
 * and jobs added or edited there must be prediction jobs (dashboardJobValidation).
 */
export function dashboardRouter(opts: DashboardOptions): { router: Router; endpoints: EndpointInfo[]; readOnly: boolean } {
  const readOnly = opts.readOnly || !opts.roles.adminAuth;
  const adapter = new ExpressAdapter();
  adapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: opts.queues.map((q) => new BullMQAdapter(q, { readOnlyMode: readOnly })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'Cataract queues' } },
  });
  const router = Router();
  router.use(
    DASHBOARD_PATH,
    markRoute,
    requireAdmin(opts.roles, opts.refuse, 'Basic'),
    sameOriginWrites(),
    dashboardJobValidation(),
    adapter.getRouter() as RequestHandler,
  );
  return {
    router,
    readOnly,
    endpoints: [{ method: 'GET', path: `${DASHBOARD_PATH}/`, description: `BullMQ queue dashboard (${readOnly ? 'read-only' : 'read-write'}; operators: admin key or basic auth)` }],
  };
}
