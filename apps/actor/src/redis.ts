import { Redis } from 'ioredis';
import type { Logger } from './logger';

export type { Redis };

/**
 * The actor's connection for uploads, replies and heartbeats (BullMQ duplicates it for its own
 * blocking client). It never gives up: an actor outlives Redis restarts and carries on.
 */
export function createActorRedis(url: string, name: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: null, // required by BullMQ workers
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) logger.warn({ err: err.message }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info('redis connection restored');
    down = false;
  });
  return redis;
}

export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await Promise.race([redis.quit(), new Promise((_, rej) => setTimeout(() => rej(new Error('quit timeout')), 1000).unref())]);
  } catch {
    redis.disconnect();
  }
}
