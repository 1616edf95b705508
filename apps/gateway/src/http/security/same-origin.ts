import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { CrossSiteRequestError } from '../../errors/dashboard-errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** host[:port] of an Origin or Referer value, or undefined when it is not a URL (`null` included). */
function hostOf(value: string): string | undefined {
  try {
    return new URL(value).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Cross-site request forgery guard for a cookie- or basic-auth session (the dashboard): a browser
 * replays cached basic credentials on any request a foreign page makes, and a form or a
 * `text/plain` fetch needs no preflight. So a state-changing request must
 *  - come from this host: its Origin (or, without one, its Referer) names the host it was sent to;
 *    a request with neither is not from a browser page (browsers send Origin on every cross-origin
 *    and same-origin POST/PUT/PATCH/DELETE) and passes, so curl and scripts keep working;
 *  - carry a JSON body if it carries any: form and text/plain bodies are what a foreign page can
 *    send without a preflight, and the dashboard's own page only ever sends JSON.
 * The host compared is the Host header the request arrived with (nginx passes it on unchanged).
 */
export function sameOriginWrites(): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const host = (req.headers.host ?? '').toLowerCase();
    const origin = req.headers.origin;
    const referer = req.headers.referer;
    const from = origin !== undefined ? hostOf(origin) : referer !== undefined ? hostOf(referer) : host;
    if (from !== host) return next(new CrossSiteRequestError(`a ${req.method} from another origin is refused`));
    if (hasBody(req) && !req.is('application/json')) return next(new CrossSiteRequestError('a body must be JSON (Content-Type: application/json)'));
    next();
  };
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
