import { HEARTBEAT, redisKeys } from '@cataract/contracts';
import { redisServerAvailable, usePrivateRedis } from '@cataract/test-support/redis';
import { ActorRegistry } from '../src/dispatch/actor-registry';
import { silentLogger } from './helpers';

const maybe = redisServerAvailable() ? describe : describe.skip;

const hb = (id: string, model: 'lgbm' | 'clip' = 'lgbm') => ({
  id,
  model,
  pid: 4242,
  host: 'h',
  model_version: `${model}-v1`,
  started: new Date().toISOString(),
  last_seen: new Date().toISOString(),
  jobs_done: 0,
  concurrency: 2,
});

maybe('ActorRegistry (private redis-server)', () => {
  const r = usePrivateRedis();
  beforeEach(() => r.redis.flushdb());

  async function beat(id: string, model: 'lgbm' | 'clip' = 'lgbm', ttl: number = HEARTBEAT.ttlMs) {
    await r.redis.multi().set(redisKeys.actor(model, id), JSON.stringify(hb(id, model)), 'PX', ttl).sadd(redisKeys.actorIndex(model), id).exec();
  }

  it('lists live actors per model type from their heartbeats', async () => {
    await beat('b');
    await beat('a');
    await beat('c', 'clip');
    const snap = await new ActorRegistry(r.redis, silentLogger, { cacheMs: 0 }).snapshot();
    expect(snap.lgbm.map((a) => a.id)).toEqual(['a', 'b']);
    expect(snap.clip.map((a) => a.id)).toEqual(['c']);
    expect(snap.lgbm[0]).toMatchObject({ pid: 4242, model_version: 'lgbm-v1' });
  });

  it('drops actors whose heartbeat expired and prunes them from the index', async () => {
    await beat('alive');
    await beat('dead', 'lgbm', 50);
    await new Promise((r) => setTimeout(r, 120));
    const reg = new ActorRegistry(r.redis, silentLogger, { cacheMs: 0 });
    expect((await reg.live('lgbm')).map((a) => a.id)).toEqual(['alive']);
    await new Promise((r) => setTimeout(r, 50));
    expect(await r.redis.smembers(redisKeys.actorIndex('lgbm'))).toEqual(['alive']);
  });

  it('ignores malformed heartbeat records', async () => {
    await r.redis.multi().set(redisKeys.actor('lgbm', 'x'), '{"id":"x"}').sadd(redisKeys.actorIndex('lgbm'), 'x').exec();
    expect(await new ActorRegistry(r.redis, silentLogger, { cacheMs: 0 }).live('lgbm')).toEqual([]);
  });

  it('reuses one read within cacheMs and coalesces concurrent reads', async () => {
    let now = 1_000_000;
    const reg = new ActorRegistry(r.redis, silentLogger, { cacheMs: 300, now: () => now });
    const spy = jest.spyOn(r.redis, 'mget');
    await beat('a');
    const [x, y] = await Promise.all([reg.live('lgbm'), reg.live('lgbm')]);
    expect(x).toBe(y);
    await beat('b');
    expect((await reg.live('lgbm')).length).toBe(1); // cached
    now += 301;
    expect((await reg.live('lgbm')).length).toBe(2);
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
  });

  it('tracks how long a type has been without any live actor', async () => {
    let now = 5_000;
    const reg = new ActorRegistry(r.redis, silentLogger, { cacheMs: 0, now: () => now });
    now += 1000;
    expect(reg.msWithoutActor('lgbm')).toBe(1000); // counted from construction until a first sighting
    await beat('a');
    await reg.snapshot();
    now += 500;
    expect(reg.msWithoutActor('lgbm')).toBe(500);
    await r.redis.del(redisKeys.actor('lgbm', 'a'));
    now += 4000;
    await reg.snapshot();
    expect(reg.msWithoutActor('lgbm')).toBe(4500);
  });
});
