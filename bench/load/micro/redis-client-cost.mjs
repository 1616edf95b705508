#!/usr/bin/env node
/**
 * node bench/load/micro/redis-client-cost.mjs
 *
 * The gateway's Redis traffic per request (SET of a 58 KB upload, BullMQ add, DEL), 16 requests in
 * flight, on a connection where a BullMQ Queue has defined its Lua scripts: client CPU per request
 * with ioredis auto-pipelining on and off, and redis-server's CPU. Private redis-server.
 * Why: ioredis builds a Pipeline per tick and copies every script defined on the connection into it.
 */
import { requireFromRoot } from '../lib/root.mjs';
import { cpuSeconds, startRedis } from '../lib/processes.mjs';

const { Redis } = requireFromRoot('ioredis');
const { Queue } = requireFromRoot('bullmq');
const server = await startRedis();
try {
  for (const auto of [true, false]) {
    const redis = new Redis(server.url, { enableAutoPipelining: auto, maxRetriesPerRequest: 1 });
    const queue = new Queue('micro', { connection: redis, prefix: 'bull' });
    await queue.waitUntilReady();
    await queue.add('warm', {});
    const upload = Buffer.alloc(58_000, 7);
    const rows = [];
    for (let round = 0; round < 3; round++) {
      const n = 2000;
      let next = 0;
      const client0 = process.cpuUsage();
      const redis0 = cpuSeconds(server.pid);
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next++ < n) {
            const key = `u${next}`;
            await redis.set(key, upload, 'PX', 10_000);
            await queue.add('p', { uploadKey: key, requestId: 'r', deadline: 1, replyTo: 'c' }, { removeOnComplete: true });
            await redis.del(key);
          }
        }),
      );
      const c = process.cpuUsage(client0);
      rows.push({ client_ms: (c.user + c.system) / 1000 / n, redis_ms: ((cpuSeconds(server.pid) - redis0) * 1000) / n });
    }
    const best = rows.sort((a, b) => a.client_ms - b.client_ms)[1]; // median of 3
    console.log(`auto-pipelining ${auto ? 'on ' : 'off'} (${Object.keys(redis.scriptsSet).length} scripts on the connection): client ${best.client_ms.toFixed(3)} ms, redis-server ${best.redis_ms.toFixed(3)} ms of CPU per request`);
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
  }
} finally {
  await server.stop();
}
