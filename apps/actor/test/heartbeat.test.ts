import { ActorHeartbeatSchema, redisKeys } from '@cataract/contracts';
import pino from 'pino';
import { redisServerAvailable, usePrivateRedis } from '@cataract/test-support/redis';
import { Heartbeat } from '../src/heartbeat';

const maybe = redisServerAvailable() ? describe : describe.skip;

maybe('Heartbeat (private redis-server)', () => {
  const r = usePrivateRedis();

  it('writes a valid record with a TTL, keeps refreshing it, and deletes it on stop', async () => {
    const hb = new Heartbeat(r.redis, pino({ level: 'silent' }), { model: 'lgbm', actorId: 'a-1', modelVersion: 'v-3', concurrency: 8, intervalMs: 100, ttlMs: 300 });
    await hb.start();
    const key = redisKeys.actor('lgbm', 'a-1');
    const first = ActorHeartbeatSchema.parse(JSON.parse((await r.redis.get(key))!));
    expect(first).toMatchObject({ id: 'a-1', model: 'lgbm', pid: process.pid, model_version: 'v-3', jobs_done: 0, concurrency: 8 });
    expect(await r.redis.pttl(key)).toBeGreaterThan(0);
    expect(await r.redis.smembers(redisKeys.actorIndex('lgbm'))).toEqual(['a-1']);
    hb.jobDone();
    hb.jobDone();
    await new Promise((r) => setTimeout(r, 450)); // longer than the TTL: alive only if refreshed
    const later = ActorHeartbeatSchema.parse(JSON.parse((await r.redis.get(key))!));
    expect(later.jobs_done).toBe(2);
    expect(later.started).toBe(first.started);
    expect(Date.parse(later.last_seen)).toBeGreaterThan(Date.parse(first.last_seen));
    await hb.stop();
    expect(await r.redis.exists(key)).toBe(0);
    expect(await r.redis.smembers(redisKeys.actorIndex('lgbm'))).toEqual([]);
  });

  it('a stopped beat expires on its own (what a killed actor leaves)', async () => {
    const hb = new Heartbeat(r.redis, pino({ level: 'silent' }), { model: 'clip', actorId: 'k', modelVersion: 'v', concurrency: 1, intervalMs: 100, ttlMs: 200 });
    await hb.beat();
    expect(await r.redis.exists(redisKeys.actor('clip', 'k'))).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await r.redis.exists(redisKeys.actor('clip', 'k'))).toBe(0);
  });
});
