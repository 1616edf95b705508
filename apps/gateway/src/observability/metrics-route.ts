import { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { EndpointInfo } from '../http/routes/endpoint';
import { METRICS_CONTENT_TYPE, scrapeText } from './cluster-metrics';
import type { GatewayMetrics } from './metrics';

/** GET /metrics: Prometheus text for the whole gateway cluster, behind the API key when auth is on. */
export function metricsRouter(metrics: GatewayMetrics, guard: RequestHandler): { router: Router; endpoints: EndpointInfo[] } {
  const router = Router();
  router.get('/metrics', guard, async (_req: Request, res: Response, next: NextFunction) => {
    try {
      const text = await scrapeText(metrics.registry);
      res.status(200).set('Content-Type', METRICS_CONTENT_TYPE).set('Cache-Control', 'no-store').send(text);
    } catch (err) {
      next(err);
    }
  });
  return {
    router,
    endpoints: [{ method: 'GET', path: '/metrics', description: 'Prometheus metrics of all gateway workers (API key required when API_KEYS is set)' }],
  };
}
