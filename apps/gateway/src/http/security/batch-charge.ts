import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isReady, type Redis } from '@cataract/service-kit';
import { BatchRateLimitedError } from '../../errors';
import type { Logger } from '../../logger';
import { clientKey, RATE_LIMIT_PREFIX } from './rate-limit';

/**
 * Adds a batch's other photos to the counter the rate limiter already raised by one for the request
 * (same key), and takes them back when that would pass the limit (the batch is then refused whole,
 * costing one like any refused request). The window's expiry is the limiter's; a counter that
 * expired meanwhile gets a fresh window.
 */
const CHARGE = `
local c = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) ttl = tonumber(ARGV[3]) end
if c > tonumber(ARGV[2]) then redis.call('DECRBY', KEYS[1], ARGV[1]) return {0, ttl} end
return {1, ttl}
`;

type ChargeCommand = (key: string, extra: number, limit: number, windowMs: number) => Promise<[number, number]>;

export interface BatchChargeOptions {
  /** RATE_LIMIT_PER_MINUTE; 0 turns it off. */
  perMinute: number;
  redis: Redis;
  logger: Logger;
  windowMs?: number;
  prefix?: string;
}

/**
 * RATE_LIMIT_PER_MINUTE counts photos, not requests: a batch of 16 spends 16, so batching is no way
 * around the limit. Mounted after the batch upload (the count comes from the body). Redis down:
 * fails open, like the limiter.
 */
export function batchCharge(opts: BatchChargeOptions): RequestHandler | undefined {
  if (opts.perMinute <= 0) return undefined;
  opts.redis.defineCommand('cataractChargeBatch', { numberOfKeys: 1, lua: CHARGE });
  const charge = (opts.redis as unknown as { cataractChargeBatch: ChargeCommand }).cataractChargeBatch.bind(opts.redis);
  const windowMs = opts.windowMs ?? 60_000;
  return async (req: Request, res: Response, next: NextFunction) => {
    const photos = res.locals.batch?.length ?? 1;
    if (photos <= 1 || !isReady(opts.redis)) return next();
    try {
      const [ok, ttl] = await charge((opts.prefix ?? RATE_LIMIT_PREFIX) + clientKey(req, res), photos - 1, opts.perMinute, windowMs);
      if (ok !== 1) return next(new BatchRateLimitedError(opts.perMinute, photos, Math.max(1, Math.ceil(ttl / 1000))));
    } catch (err) {
      opts.logger.warn({ err: (err as Error).message }, 'batch rate charge skipped (fail open): Redis error');
    }
    next();
  };
}
