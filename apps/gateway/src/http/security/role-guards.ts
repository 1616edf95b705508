import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ForbiddenError, NoOperatorCredentialError, UnauthorizedError, WrongRoleError } from '../../errors/access-errors';
import type { RefusalHandler } from './auth-failures';
import type { Roles } from './roles';

declare module 'express-serve-static-core' {
  interface Locals {
    /** Id of the key the request authenticated with (never the key itself); unset when auth is off. */
    apiKeyId?: string;
    /** The request carries a valid operator credential (set by requireAdmin and by the /health view). */
    admin?: boolean;
  }
}

/**
 * In front of the predictions: with API_KEYS set, 401 without a key, 403 for a wrong one or an
 * operator credential (before any body is read, so a refused client costs no upload parsing), every
 * refusal counted per address (auth-failures.ts). Sets res.locals.apiKeyId. A no-op without API_KEYS.
 */
export function requireClient(roles: Roles, refuse: RefusalHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!roles.clientAuth) return next();
    const who = roles.identify(req);
    switch (who.kind) {
      case 'client':
        res.locals.apiKeyId = who.keyId;
        return next();
      case 'anonymous':
        return refuse(req, res, next, new UnauthorizedError());
      case 'invalid':
        return refuse(req, res, next, new ForbiddenError());
      case 'admin':
        return next(new WrongRoleError('client'));
    }
  };
}

/**
 * In front of the operator views (dashboard, /metrics): open only while no credential at all is
 * configured; otherwise an admin credential, never a client key. `scheme` is what a 401 asks for
 * (Basic makes a browser show its login box). Wrong credentials count as refusals per address.
 */
export function requireAdmin(roles: Roles, refuse: RefusalHandler, scheme: 'Basic' | 'Bearer' = 'Bearer'): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!roles.anyAuth) return next();
    const who = roles.identify(req);
    switch (who.kind) {
      case 'admin':
        res.locals.apiKeyId = who.keyId;
        res.locals.admin = true;
        return next();
      case 'anonymous':
        return roles.adminAuth ? next(new UnauthorizedError(scheme)) : next(new NoOperatorCredentialError());
      case 'invalid':
        // wrong basic credentials: 401 again, so a browser asks for them again
        return refuse(req, res, next, who.scheme === 'Basic' ? new UnauthorizedError('Basic') : new ForbiddenError());
      case 'client':
        return next(roles.adminAuth ? new WrongRoleError('admin') : new NoOperatorCredentialError());
    }
  };
}

/**
 * For views with a public summary and an operator detail (/health): sets res.locals.admin when the
 * detail may be shown (an admin credential, or no credential configured at all). Anonymous and
 * client requests pass with the summary; wrong credentials are refused and counted like anywhere.
 */
export function identifyOperator(roles: Roles, refuse: RefusalHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!roles.anyAuth) {
      res.locals.admin = true;
      return next();
    }
    const who = roles.identify(req);
    if (who.kind === 'invalid') return refuse(req, res, next, who.scheme === 'Basic' ? new UnauthorizedError('Basic') : new ForbiddenError());
    res.locals.admin = who.kind === 'admin';
    next();
  };
}
