import { createHash } from 'node:crypto';
import { KEY_NAMESPACE } from '@cataract/contracts';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { Redis } from '@cataract/service-kit';
import { RateLimitedError } from '../../errors/access-errors';
import type { Logger } from '../../logger';

/** Redis key prefix of the counters: one key per client per window. */
export const RATE_LIMIT_PREFIX = `${KEY_NAMESPACE}:ratelimit:`;

export interface RateLimitOptions {
  /** Requests per minute per client; 0 turns limiting off. */
  perMinute: number;
  redis: Redis;
  logger: Logger;
  /** Tests only: a shorter window. */
  windowMs?: number;
  prefix?: string;
}

/**
 * Who a request is counted as: its API key's id when auth is on (never the raw key), else its
 * address (an IPv6 client by its /56, so it cannot rotate addresses within its allocation).
 */
export function clientKey(req: Request, res: Response): string {
  if (res.locals.apiKeyId) return `key:${res.locals.apiKeyId}`;
  return `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
}

/**
 * The store's raw-command function over ioredis. SCRIPT LOAD never fails: Redis names a script by
 * the SHA-1 of its source, so while Redis is unreachable we answer that digest ourselves, and the
 * store's NOSCRIPT path loads the script for real on its first use once Redis is back (otherwise a
 * gateway started before Redis would keep a rejected script promise forever).
 */
export function sendCommandVia(redis: Redis) {
  return async (...args: string[]): Promise<RedisReply> => {
    const [command, ...rest] = args;
    try {
      return (await redis.call(command, ...rest)) as RedisReply;
    } catch (err) {
      if (command.toUpperCase() === 'SCRIPT' && rest[0]?.toUpperCase() === 'LOAD' && rest[1] !== undefined) {
        return createHash('sha1').update(rest[1]).digest('hex');
      }
      throw err;
    }
  };
}

/**
 * RATE_LIMIT_PER_MINUTE, counted in Redis (redisCountedLimiter), so every worker of every gateway
 * replica shares one budget per client. Fixed one-minute windows, draft-6
 * `RateLimit-Limit/-Remaining/-Reset` headers, and 429 `rate_limited` with `Retry-After`.
 * Mounted after authentication: refused credentials never spend a key's budget.
 */
export function createRateLimiter(opts: RateLimitOptions): RequestHandler | undefined {
  if (opts.perMinute <= 0) return undefined;
  return redisCountedLimiter({
    limit: opts.perMinute,
    windowMs: opts.windowMs ?? 60_000,
    redis: opts.redis,
    logger: opts.logger,
    prefix: opts.prefix ?? RATE_LIMIT_PREFIX,
    keyGenerator: clientKey,
    standardHeaders: true,
    onLimited: () => new RateLimitedError(opts.perMinute),
  });
}

export interface CountedLimiterOptions {
  limit: number;
  windowMs: number;
  redis: Redis;
  logger: Logger;
  prefix: string;
  keyGenerator: (req: Request, res: Response) => string;
  /** Send the draft-6 RateLimit-* headers (and Retry-After) on every counted response. */
  standardHeaders: boolean;
  onLimited: (req: Request) => Error;
}

/**
 * An express-rate-limit counter kept in Redis (one atomic Lua increment per counted request), so
 * every worker of every replica shares it; fixed windows. Redis down: it fails open (logged once
 * per outage), since the request then meets the same outage on its way to the queue and answers
 * 503 redis_unavailable, which failing closed here would hide behind a 500.
 */
export function redisCountedLimiter(opts: CountedLimiterOptions): RequestHandler {
  let failing = false;
  const limiter = rateLimit({
    windowMs: opts.windowMs,
    limit: opts.limit,
    standardHeaders: opts.standardHeaders ? 'draft-6' : false,
    legacyHeaders: false,
    keyGenerator: opts.keyGenerator,
    store: new RedisStore({ sendCommand: sendCommandVia(opts.redis), prefix: opts.prefix }),
    passOnStoreError: true,
    handler: (req: Request, _res: Response, next: NextFunction) => next(opts.onLimited(req)),
    logger: {
      warn: (err: unknown, msg?: string) => opts.logger.warn({ err: (err as Error)?.message ?? String(err) }, msg),
      error: (err: unknown, msg?: string) => {
        if (!failing) opts.logger.warn({ err: (err as Error)?.message ?? String(err) }, `rate limiting suspended (fail open): ${msg ?? "store error"}`);
        failing = true;
      },
    },
  });
  return (req, res, next) => {
    void limiter(req, res, (err?: unknown) => {
      if (err === undefined && (req as Request & { rateLimit?: unknown }).rateLimit !== undefined && failing) {
        opts.logger.info('rate limiting restored');
        failing = false;
      }
      next(err);
    });
  };
}
