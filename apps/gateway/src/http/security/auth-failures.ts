import { KEY_NAMESPACE } from '@cataract/contracts';
import type { NextFunction, Request, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { TooManyAuthFailuresError } from '../../errors/access-errors';
import type { HttpError } from '../../errors/http-error';
import type { Logger } from '../../logger';
import type { Redis } from '@cataract/service-kit';
import { redisCountedLimiter } from './rate-limit';

/** Redis key prefix of the refused-credential counters: one key per address per window. */
export const AUTH_FAILURE_PREFIX = `${KEY_NAMESPACE}:authfail:`;

export interface AuthFailureOptions {
  /** 401/403 answers per address per minute before further refusals become 429s; 0: no limit. */
  perMinute: number;
  redis: Redis;
  logger: Logger;
  /** Tests only: a shorter window. */
  windowMs?: number;
}

/** Answers a refused credential: `refuse(req, res, next, error)` instead of `next(error)`. */
export type RefusalHandler = (req: Request, res: Response, next: NextFunction, refusal: HttpError) => void;

/**
 * AUTH_FAILURES_PER_MINUTE: every 401/403 an address earns is counted (in Redis, shared by all
 * workers and replicas); past the limit its refusals answer 429 with Retry-After instead, so
 * guessing keys costs a minute per few dozen guesses. Only refusals are counted and only refusals
 * are turned away: a valid key from the same address (a NAT, a proxy) still gets through, so
 * someone guessing cannot lock the legitimate clients behind that address out.
 */
export function authFailureLimiter(opts: AuthFailureOptions): RefusalHandler {
  if (opts.perMinute <= 0) return (_req, _res, next, refusal) => next(refusal);
  const windowMs = opts.windowMs ?? 60_000;
  const count = redisCountedLimiter({
    limit: opts.perMinute,
    windowMs,
    redis: opts.redis,
    logger: opts.logger,
    prefix: AUTH_FAILURE_PREFIX,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
    standardHeaders: false,
    onLimited: (req) => new TooManyAuthFailuresError(opts.perMinute, secondsUntil((req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime, windowMs)),
  });
  return (req, res, next, refusal) => count(req, res, (err?: unknown) => next(err ?? refusal));
}

function secondsUntil(reset: Date | undefined, windowMs: number): number {
  const ms = reset ? reset.getTime() - Date.now() : windowMs;
  return Math.max(1, Math.ceil(ms / 1000));
}
