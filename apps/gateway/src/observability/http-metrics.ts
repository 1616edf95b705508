import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { GatewayMetrics } from './metrics';

/**
 * The route label: the matched route pattern (bounded cardinality, never raw URLs with ids or
 * query strings), the mount point for static files and sub-apps, or "unmatched" for 404s.
 */
export function routeLabel(req: Request, res: Response): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string') return `${req.baseUrl}${route}` || '/';
  if (res.statusCode === 404) return 'unmatched';
  return req.baseUrl || 'unmatched';
}

/**
 * Counts and times every response once it finished (or the client went away), and counts error
 * answers by their API error code. Mounted first, so requests refused by auth or the rate limiter
 * are counted too.
 */
export function httpMetrics(metrics: GatewayMetrics): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const stop = metrics.httpDuration.startTimer();
    let done = false;
    const record = () => {
      if (done) return;
      done = true;
      const labels = { method: req.method, route: routeLabel(req, res), status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      stop(labels);
      if (res.statusCode >= 400) {
        metrics.rejected.inc({ reason: res.locals.errorCode ?? `http_${res.statusCode}`, status: String(res.statusCode) });
      }
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };
}
