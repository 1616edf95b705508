import type { ErrorResponse } from '@cataract/contracts';
import type { NextFunction, Request, Response } from 'express';
import { ClientGoneError, HttpError, NotFoundError } from '../../errors';

export function notFound(req: Request, _res: Response, next: NextFunction): void {
  next(new NotFoundError(req.method, req.path));
}

/** Every error leaves as `{ error: { code, message }, request_id }`; unknown errors are 500s without internals. */
export function errorHandler(err: unknown, req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) {
    next(err);
    return;
  }
  if (err instanceof ClientGoneError) {
    // The client hung up first (e.g. a load generator stopping): nothing failed here and nobody
    // reads an answer, so no error line with a stack; the request's own log line says 499.
    res.locals.errorCode = 'client_gone';
    res.status(499).end();
    return;
  }
  const http =
    err instanceof HttpError ? err : new HttpError(500, 'internal_error', 'internal server error', { cause: err });
  if (http.status >= 500 && !(err instanceof HttpError)) req.log?.error({ err }, 'unhandled error');
  res.locals.errorCode = http.code; // the request's log line says why (see http-logger)
  const body: ErrorResponse = { error: { code: http.code, message: http.message }, request_id: String(req.id ?? '') };
  res.status(http.status).set(http.headers).json(body);
}
