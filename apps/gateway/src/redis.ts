import { Redis } from 'ioredis';
import type { Logger } from './logger';

export type { Redis };

/**
 * A connection for the request path: commands fail at once while Redis is down (no offline queue,
 * one retry) so requests answer 503 quickly; the client itself reconnects forever in the background.
 */
export function createRequestRedis(url: string, name: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 3000, // a stalled socket must not hold a request past its deadline
    // No auto-pipelining: ioredis builds a Pipeline per tick that copies every script defined on the
    // connection (BullMQ defines 64), and concatenates a big SET's bytes once more: it costs more
    // client CPU per request than it saves (`node bench/load/micro/redis-client-cost.mjs`,
    // docs/performance.md "Settings that help").
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  watch(redis, name, logger);
  return redis;
}

/** A pub/sub connection: it may queue its SUBSCRIBE until connected, and resubscribes after reconnects. */
export function createSubscriberRedis(url: string, name: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: null,
    autoResubscribe: true,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  watch(redis, name, logger);
  return redis;
}

export function isReady(redis: Redis): boolean {
  return redis.status === 'ready';
}

/** Resolves once `redis` takes commands (at once if it already does). */
export function whenReady(redis: Redis): Promise<void> {
  return isReady(redis) ? Promise.resolve() : new Promise<void>((resolve) => redis.once('ready', () => resolve()));
}

/** Logs state changes once per transition instead of one line per failed reconnect attempt. */
function watch(redis: Redis, name: string, logger: Logger): void {
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) logger.warn({ redis: name, err: err.message }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ redis: name }, 'redis connection restored');
    down = false;
  });
}

/** Closes politely, then forcefully if Redis does not answer. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await Promise.race([redis.quit(), new Promise((_, rej) => setTimeout(() => rej(new Error('quit timeout')), 1000).unref())]);
  } catch {
    redis.disconnect();
  }
}
