import { JOB_DEFAULTS } from '@cataract/contracts';
import { redisServerAvailable, usePrivateRedis } from '@cataract/test-support/redis';
import { ModelQueues } from '../src/dispatch/queues';

const maybe = redisServerAvailable() ? describe : describe.skip;

maybe('ModelQueues (private redis-server)', () => {
  const r = usePrivateRedis();

  it('creates one producer per model type, on the contract queue names, with capped job retention', async () => {
    const queues = new ModelQueues(r.redis);
    const q = queues.get('lgbm');
    expect(queues.get('lgbm')).toBe(q);
    expect(q.name).toBe('lgbm');
    expect(queues.get('clip').name).toBe('clip');
    expect(q.defaultJobOptions).toMatchObject({
      attempts: JOB_DEFAULTS.attempts,
      removeOnComplete: { count: JOB_DEFAULTS.keepCompleted },
      removeOnFail: { count: JOB_DEFAULTS.keepFailed },
    });
    await queues.close();
  });

  it('reads the waiting count at most once per depthCacheMs', async () => {
    const queues = new ModelQueues(r.redis, { depthCacheMs: 60_000 });
    const q = queues.get('lgbm');
    await q.add('predict', { uploadKey: 'a', requestId: 'a', deadline: Date.now() + 60000, replyTo: 'x' });
    const [a, b] = await Promise.all([queues.waiting('lgbm'), queues.waiting('lgbm')]);
    expect([a, b]).toEqual([1, 1]);
    await q.add('predict', { uploadKey: 'b', requestId: 'b', deadline: Date.now() + 60000, replyTo: 'x' });
    expect(await queues.waiting('lgbm')).toBe(1); // cached
    const fresh = new ModelQueues(r.redis, { depthCacheMs: 0 });
    expect(await fresh.waiting('lgbm')).toBe(2);
    await Promise.all([queues.close(), fresh.close()]);
  });
});
