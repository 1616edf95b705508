import { withTimeout } from '@cataract/concurrency';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

export type { Redis };

/**
 * What a connection is for, which decides how it behaves while Redis is away:
 * - `request`: a request path's commands fail at once (no offline queue, one retry) so callers
 *   answer 503 quickly; the client reconnects forever in the background.
 * - `subscriber`: pub/sub; it may queue its SUBSCRIBE until connected and resubscribes after reconnects.
 * - `consumer`: a BullMQ worker's connection (uploads, replies, heartbeats); commands wait for
 *   a reconnect, so the process outlives Redis restarts and carries on.
 */
export type RedisRole = 'request' | 'subscriber' | 'consumer';

const retryStrategy = (times: number): number => Math.min(100 * times, 2000);

const ROLE_OPTIONS: Record<RedisRole, RedisOptions> = {
  request: {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 3000, // a stalled socket must not hold a request past its deadline
    // No auto-pipelining: ioredis builds a Pipeline per tick that copies every script defined on the
    // connection (BullMQ defines 64), and concatenates a big SET's bytes once more: it costs more
    // client CPU per request than it saves (`node bench/load/micro/redis-client-cost.mjs`,
    // docs/performance.md "Settings that help").
  },
  subscriber: { maxRetriesPerRequest: null, autoResubscribe: true },
  consumer: { maxRetriesPerRequest: null }, // null is required by BullMQ workers
};

/** A connection named `name` (CLIENT LIST shows it) whose state changes are logged once each. */
export function connectRedis(url: string, role: RedisRole, name: string, logger: Logger): Redis {
  const redis = new Redis(url, { connectionName: name, retryStrategy, ...ROLE_OPTIONS[role] });
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) logger.warn({ redis: name, err: err.message }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ redis: name }, 'redis connection restored');
    down = false;
  });
  return redis;
}

export function isReady(redis: Redis): boolean {
  return redis.status === 'ready';
}

/** Resolves once `redis` takes commands (at once if it already does). */
export function whenReady(redis: Redis): Promise<void> {
  return isReady(redis) ? Promise.resolve() : new Promise<void>((resolve) => redis.once('ready', () => resolve()));
}

/** Closes politely, then forcefully if Redis does not answer within `timeoutMs`. */
export async function closeRedis(redis: Redis, timeoutMs = 1000): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await withTimeout(redis.quit(), timeoutMs);
  } catch {
    redis.disconnect();
  }
}
