import { DriftQuerySchema, DriftStatus, DriftSummary } from '@cataract/contracts';
import { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { DriftMonitor } from '../../drift';
import { HttpError, InvalidDriftQueryError, RedisUnavailableError } from '../../errors';
import type { EndpointInfo } from './endpoint';

export interface DriftRouteDeps {
  monitor: Pick<DriftMonitor, 'status'>;
  /** Sets res.locals.admin when the full report may be shown (security/role-guards identifyOperator). */
  operator: RequestHandler;
}

/**
 * GET /drift_status[?model=lgbm|clip]: the drift report (drift/drift-report.ts). Like /health it
 * has a public summary and an operator detail: with no credential configured, or with an admin
 * credential, the whole report; otherwise only the verdict, which the try-it page shows. The
 * query is checked after the credential and before Redis is read.
 */
export function driftRouter(deps: DriftRouteDeps): { router: Router; endpoints: EndpointInfo[] } {
  const router = Router();
  router.get('/drift_status', deps.operator, async (req: Request, res: Response, next: NextFunction) => {
    const query = DriftQuerySchema.safeParse(req.query);
    if (!query.success) return next(new InvalidDriftQueryError(query.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ')));
    try {
      const report = await deps.monitor.status();
      const model = query.data.model;
      const body: DriftStatus = model ? { ...report, models: { [model]: report.models[model] ?? { serving_version: null, versions: [] } } } : report;
      res.set('Cache-Control', 'no-store').json(res.locals.admin ? body : driftSummary(body));
    } catch (err) {
      next(err instanceof HttpError ? err : new RedisUnavailableError(err));
    }
  });
  return {
    router,
    endpoints: [{ method: 'GET', path: '/drift_status', description: 'drift of answers and inputs against the training photos: ok / warn / alert (the figures for operators once credentials are set)' }],
  };
}

/** The verdict without the figures, for anyone who is not an operator once credentials are set. */
export function driftSummary(report: DriftStatus): DriftSummary {
  return { status: report.status, monitoring: report.monitoring, generated_at: report.generated_at };
}
