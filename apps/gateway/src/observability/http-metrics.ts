import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { GatewayMetrics } from './metrics';

declare module 'express-serve-static-core' {
  interface Locals {
    /** Mount path a request reached before it was answered outside a route (auth, rate limit). */
    metricsRoute?: string;
  }
}

/**
 * Middleware for a mount point whose requests may be answered before reaching a route (401, 403,
 * 429 from the guards): remembers the mount path as their route label.
 */
export const markRoute = (req: Request, res: Response, next: NextFunction): void => {
  res.locals.metricsRoute ??= req.baseUrl;
  next();
};

/**
 * The route label: the matched route pattern (bounded cardinality, never raw URLs with ids or
 * query strings), else the mount path recorded by markRoute or the one of a static-file or
 * sub-app mount, else "unmatched" (404s).
 */
export function routeLabel(req: Request, res: Response): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string') return `${req.baseUrl}${route}` || '/';
  if (res.locals.metricsRoute) return res.locals.metricsRoute;
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
