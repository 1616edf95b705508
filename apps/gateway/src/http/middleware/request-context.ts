import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

/** Accept a caller's X-Request-Id only when it is short and plain, so it is safe to log and echo. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

declare module 'express-serve-static-core' {
  interface Locals {
    /** performance.now() when the gateway received the request (processing_time starts here). */
    receivedAt: number;
    /** Epoch ms after which the request answers 504. */
    deadline: number;
    /** The API error code the request ended with, for its log line. */
    errorCode?: string;
  }
}

/** Stamps arrival time and deadline first thing, so every later step shares one clock. */
export function requestContext(requestTimeoutMs: number) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.locals.receivedAt = performance.now();
    res.locals.deadline = Date.now() + requestTimeoutMs;
    next();
  };
}

/** Aborts when the client disconnects before the response was sent. */
export function clientGoneSignal(res: Response): AbortSignal {
  const ac = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) ac.abort();
  });
  return ac.signal;
}
