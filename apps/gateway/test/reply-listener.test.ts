import { BULL_PREFIX, PredictJobData, PredictJobResult, QUEUE_NAMES, redisKeys } from '@cataract/contracts';
import { Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { okResult, ScriptedActor, startScriptedActor } from '@cataract/test-support/scripted-actor';
import { ActorRegistry } from '../src/dispatch/actor-registry';
import { InferenceFailedError, NoActorError, RedisUnavailableError } from '../src/errors';
import { ModelQueues } from '../src/dispatch/queues';
import { ReplyListener } from '../src/dispatch/reply-listener';
import { silentLogger } from './helpers';

const maybe = redisServerAvailable() ? describe : describe.skip;
const data = (channel: string): PredictJobData => ({ uploadKey: 'u', requestId: 'r', deadline: Date.now() + 60_000, replyTo: channel });

maybe('ReplyListener (private redis-server)', () => {
  let server: RedisServer;
  let redis: Redis;
  let sub: Redis;
  let queues: ModelQueues;
  let registry: ActorRegistry;
  let listener: ReplyListener;
  let actor: ScriptedActor | undefined;
  const channel = redisKeys.replyChannel('test-gw');

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server.stop());
  beforeEach(async () => {
    redis = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    await new Promise((r) => redis.once('ready', r));
    await redis.flushdb();
    sub = new Redis(server.url);
    queues = new ModelQueues(redis);
    registry = new ActorRegistry(redis, silentLogger, { cacheMs: 0 });
    listener = new ReplyListener(redis, sub, channel, queues, registry, silentLogger, { pollIntervalMs: 50, pollAfterMs: 200, noActorGraceMs: 500 });
    await listener.start();
  });
  afterEach(async () => {
    await actor?.close();
    actor = undefined;
    await listener.stop();
    await queues.close();
    sub.disconnect();
    redis.disconnect();
  });

  async function enqueue(jobId: string) {
    const pending = listener.register(jobId, 'lgbm');
    await queues.get('lgbm').add('predict', data(channel), { jobId });
    pending.enqueued();
    return pending;
  }

  it('resolves a waiting request from the pub/sub reply', async () => {
    actor = await startScriptedActor({ redisUrl: server.url, handle: () => okResult('pubsub-actor', 0.9) });
    const pending = await enqueue('job-1');
    await expect(pending.promise).resolves.toMatchObject({ status: 'ok', prediction: 'cataract', actor_id: 'pubsub-actor' });
    expect(listener.size).toBe(0);
  });

  it('resolves from the stored job state when the pub/sub message is lost', async () => {
    actor = await startScriptedActor({ redisUrl: server.url, publish: false, handle: () => okResult('silent-actor', 0.1) });
    const pending = await enqueue('job-2');
    await expect(pending.promise).resolves.toMatchObject({ status: 'ok', prediction: 'normal', actor_id: 'silent-actor' });
  });

  it('rejects with InferenceFailedError when the job finally failed', async () => {
    actor = await startScriptedActor({
      redisUrl: server.url,
      publish: false,
      handle: () => {
        throw new Error('model exploded');
      },
    });
    const pending = listener.register('job-3', 'lgbm');
    await queues.get('lgbm').add('predict', data(channel), { jobId: 'job-3', attempts: 1 });
    pending.enqueued();
    const err = await pending.promise.catch((e: Error) => e);
    expect(err).toBeInstanceOf(InferenceFailedError);
    expect((err as Error).message).toContain('model exploded');
  });

  it('keeps waiting while a failed attempt will be retried, then takes the retry’s answer', async () => {
    let calls = 0;
    actor = await startScriptedActor({
      redisUrl: server.url,
      publish: false,
      handle: () => {
        if (++calls === 1) throw new Error('transient');
        return okResult('retry-actor');
      },
    });
    const pending = listener.register('job-4', 'lgbm');
    await queues.get('lgbm').add('predict', data(channel), { jobId: 'job-4', attempts: 3, backoff: { type: 'fixed', delay: 300 } });
    pending.enqueued();
    await expect(pending.promise).resolves.toMatchObject({ actor_id: 'retry-actor' });
    expect(calls).toBe(2);
  });

  it('fails waiting requests with NoActorError once the type had no live actor for the grace period', async () => {
    const pending = await enqueue('job-5'); // nobody consumes it
    const err = await pending.promise.catch((e: Error) => e);
    expect(err).toBeInstanceOf(NoActorError);
  });

  it('keeps waiting while a live actor exists, even if the job is not being processed yet', async () => {
    actor = await startScriptedActor({ redisUrl: server.url, handle: () => okResult('late') });
    await actor.close(); // stop consuming, but keep a heartbeat written by hand
    actor = undefined;
    const hbRedis = new Redis(server.url);
    const beat = () =>
      hbRedis
        .multi()
        .set(redisKeys.actor('lgbm', 'hb-only'), JSON.stringify({ id: 'hb-only', model: 'lgbm', pid: 1, host: 'h', model_version: 'v', started: new Date().toISOString(), last_seen: new Date().toISOString(), jobs_done: 0, concurrency: 1 }), 'PX', 3000)
        .sadd(redisKeys.actorIndex('lgbm'), 'hb-only')
        .exec();
    await beat();
    const pending = await enqueue('job-6');
    let settled = false;
    pending.promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((r) => setTimeout(r, 1200)); // > grace (500 ms) and several polls
    expect(settled).toBe(false);
    // now an actor consumes it
    const conn = new Redis(server.url, { maxRetriesPerRequest: null });
    const w = new Worker<PredictJobData, PredictJobResult>(QUEUE_NAMES.lgbm, async () => okResult('finally'), { connection: conn, prefix: BULL_PREFIX });
    try {
      await expect(pending.promise).resolves.toMatchObject({ actor_id: 'finally' });
    } finally {
      await w.close();
      conn.disconnect();
      hbRedis.disconnect();
    }
  });

  it('reads an unfinished job’s stored state with a growing gap, not on every tick', async () => {
    const hbRedis = new Redis(server.url);
    await hbRedis
      .multi()
      .set(redisKeys.actor('lgbm', 'hb-only'), JSON.stringify({ id: 'hb-only', model: 'lgbm', pid: 1, host: 'h', model_version: 'v', started: new Date().toISOString(), last_seen: new Date().toISOString(), jobs_done: 0, concurrency: 1 }), 'PX', 5000)
      .sadd(redisKeys.actorIndex('lgbm'), 'hb-only')
      .exec();
    const reads = jest.spyOn(Job, 'fromId');
    try {
      const pending = await enqueue('job-slow'); // nobody consumes it
      await new Promise((r) => setTimeout(r, 1700));
      // enqueued + 200 ms, then gaps of the job's age: ~200, 400, 800, 1600 ms (every 50 ms tick: ~30 reads)
      const n = reads.mock.calls.filter(([, id]) => id === 'job-slow').length;
      expect(n).toBeGreaterThanOrEqual(2);
      expect(n).toBeLessThanOrEqual(6);
      pending.cancel();
    } finally {
      reads.mockRestore();
      hbRedis.disconnect();
    }
  });

  it('ignores malformed reply messages and replies for unknown jobs', async () => {
    await redis.publish(channel, 'not json');
    await redis.publish(channel, JSON.stringify({ outcome: 'completed', jobId: 'unknown', result: okResult('x') }));
    const pending = listener.register('job-7', 'lgbm');
    await redis.publish(channel, JSON.stringify({ outcome: 'completed', jobId: 'job-7', result: { status: 'weird' } }));
    await redis.publish(channel, JSON.stringify({ outcome: 'completed', jobId: 'job-7', result: okResult('good') }));
    await expect(pending.promise).resolves.toMatchObject({ actor_id: 'good' });
  });

  it('fails all waiting requests with RedisUnavailableError when Redis stays unreachable', async () => {
    const pending = listener.register('job-8', 'lgbm');
    pending.enqueued();
    redis.disconnect(); // the request-path connection is down and stays down
    const err = await pending.promise.catch((e: Error) => e);
    expect(err).toBeInstanceOf(RedisUnavailableError);
  });

  it('cancel() stops waiting without settling', async () => {
    const pending = listener.register('job-9', 'lgbm');
    pending.cancel();
    expect(listener.size).toBe(0);
  });
});
