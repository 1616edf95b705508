import { randomUUID } from 'node:crypto';
import { KEY_NAMESPACE } from '@cataract/contracts';
import { decodeCostUnits } from '@cataract/imaging';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { TooManyInFlightError } from '../../errors/access-errors';
import type { Logger } from '../../logger';
import { isReady, type Redis } from '@cataract/service-kit';
import { clientKey } from './rate-limit';

/** Redis key prefix of the in-flight sets: one sorted set per client. */
export const IN_FLIGHT_PREFIX = `${KEY_NAMESPACE}:inflight:`;

/**
 * One atomic step per request: drop the client's entries whose request is long over (a worker that
 * died never released them), sum the costs of the rest, and admit this one when the client has
 * nothing in flight or the sum stays within the cap. Members are `<cost>|<uuid>`, scored by when
 * they expire; the time is Redis' own, so replicas with skewed clocks agree.
 * Returns { admitted (1/0), units in flight before this request }.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost, cap, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local used = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  used = used + tonumber(string.match(m, '^(%d+)|'))
end
if used > 0 and used + cost > cap then return {0, used} end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[4])
redis.call('PEXPIRE', KEYS[1], ttl)
return {1, used}
`;

type AcquireCommand = (key: string, cost: number, cap: number, ttlMs: number, member: string) => Promise<[number, number]>;

export interface FairShareOptions {
  /** MAX_INFLIGHT_PER_CLIENT, in decode-cost units (decodeCostUnits); 0 turns it off. */
  maxInFlight: number;
  redis: Redis;
  logger: Logger;
  /** How long an entry may outlive its request if nobody releases it (a worker died): past its deadline. */
  entryTtlMs: number;
}

/**
 * MAX_INFLIGHT_PER_CLIENT: how much decode work one client (its API key; its address without keys)
 * may have in flight at once, across every worker and replica (a sorted set per client in Redis).
 * An image costs its decode work (@cataract/imaging decodeCostUnits: about one unit per megapixel
 * the decoder really produces, so a 40 MP PNG costs 42 and a 40 MP JPEG, shrunk while it loads, 3)
 * times the models it goes to (`models`: 2 for the ensemble); a batch costs the sum of its photos'. Over the cap: 429 too_many_in_flight
 * with Retry-After, answered before any job is queued. A client with nothing in flight is always
 * admitted, so one image costlier than the cap still goes through, alone. Mounted after the upload
 * check (the cost comes from the header), released when the response ends, however it ends.
 * Redis down: admitted (the request meets the outage at the queue and answers 503).
 */
export function fairShare(opts: FairShareOptions): ((models: number) => RequestHandler) | undefined {
  if (opts.maxInFlight <= 0) return undefined;
  opts.redis.defineCommand('cataractAcquireInFlight', { numberOfKeys: 1, lua: ACQUIRE });
  const acquire = (opts.redis as unknown as { cataractAcquireInFlight: AcquireCommand }).cataractAcquireInFlight.bind(opts.redis);
  let failing = false;

  return (models: number) => async (req: Request, res: Response, next: NextFunction) => {
    const probe = res.locals.upload?.probe;
    const units = res.locals.decodeCost ?? (probe && decodeCostUnits(probe)); // a batch: the sum of its photos'
    if (units === undefined) return next(new Error('fair share mounted without the upload check'));
    if (!isReady(opts.redis)) return next();
    const cost = units * models;
    const key = IN_FLIGHT_PREFIX + clientKey(req, res);
    const member = `${cost}|${randomUUID()}`;
    let admitted: number;
    try {
      [admitted] = await acquire(key, cost, opts.maxInFlight, opts.entryTtlMs, member);
      if (failing) opts.logger.info('in-flight limit restored');
      failing = false;
    } catch (err) {
      if (!failing) opts.logger.warn({ err: (err as Error).message }, 'in-flight limit suspended (fail open): Redis error');
      failing = true;
      return next();
    }
    if (admitted !== 1) return next(new TooManyInFlightError(opts.maxInFlight, cost, 1));
    res.once('close', () => {
      opts.redis.zrem(key, member).catch(() => undefined); // else the entry expires with entryTtlMs
    });
    next();
  };
}
