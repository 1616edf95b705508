import { HEARTBEAT, PredictJobData, redisKeys } from '@cataract/contracts';
import { Redis } from 'ioredis';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { okResult, ScriptedActor, startScriptedActor } from '@cataract/test-support/scripted-actor';
import { ActorRegistry } from '../src/dispatch/actor-registry';
import { ClientGoneError, DeadlineExceededError, NoActorError, QueueFullError, RedisUnavailableError, UnsupportedImageError } from '../src/errors';
import { ModelClient } from '../src/dispatch/model-client';
import { ModelQueues } from '../src/dispatch/queues';
import { ReplyListener } from '../src/dispatch/reply-listener';
import { silentLogger } from './helpers';

const maybe = redisServerAvailable() ? describe : describe.skip;

maybe('ModelClient (private redis-server)', () => {
  let server: RedisServer;
  let redis: Redis;
  let sub: Redis;
  let queues: ModelQueues;
  let listener: ReplyListener;
  let client: ModelClient;
  let actor: ScriptedActor | undefined;

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server.stop());
  beforeEach(async () => {
    redis = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    await new Promise((r) => redis.once('ready', r));
    await redis.flushdb();
    sub = new Redis(server.url);
    queues = new ModelQueues(redis, { depthCacheMs: 0 });
    const registry = new ActorRegistry(redis, silentLogger, { cacheMs: 0 });
    listener = new ReplyListener(redis, sub, redisKeys.replyChannel('mc'), queues, registry, silentLogger, { pollIntervalMs: 100, pollAfterMs: 300 });
    await listener.start();
    client = new ModelClient(redis, queues, registry, listener, silentLogger, { maxQueuedPerModel: 2, requestTimeoutMs: 1000 });
  });
  afterEach(async () => {
    await actor?.close();
    actor = undefined;
    await listener.stop();
    await queues.close();
    sub.disconnect();
    redis.disconnect();
  });

  const ctx = (ms = 3000, signal?: AbortSignal) => ({ requestId: 'req-1', deadline: Date.now() + ms, signal });

  /** A live lgbm actor's heartbeat with no process behind it: jobs are accepted and never answered. */
  const advertiseActor = async (id: string) => {
    const now = new Date().toISOString();
    const hb = { id, model: 'lgbm', pid: 1, host: 'h', model_version: 'v', started: now, last_seen: now, jobs_done: 0, concurrency: 1 };
    await redis.set(redisKeys.actor('lgbm', id), JSON.stringify(hb), 'PX', HEARTBEAT.ttlMs);
    await redis.sadd(redisKeys.actorIndex('lgbm'), id);
  };

  it('stores an upload once with a TTL past the deadline and deletes it on release', async () => {
    const bytes = Buffer.from([1, 2, 3, 255]);
    const up = client.storeUpload(bytes, ctx(2000));
    await up.stored;
    expect(await redis.getBuffer(up.key)).toEqual(bytes);
    const ttl = await redis.pttl(up.key);
    expect(ttl).toBeGreaterThan(2000);
    expect(ttl).toBeLessThanOrEqual(4000);
    await up.release();
    await up.release();
    expect(await redis.exists(up.key)).toBe(0);
  });

  it('enqueues a small job pointing at the upload and returns the actor’s answer', async () => {
    const seen: PredictJobData[] = [];
    actor = await startScriptedActor({
      redisUrl: server.url,
      handle: async (d) => {
        seen.push(d);
        expect(await redis.getBuffer(d.uploadKey)).toEqual(Buffer.from('img'));
        return okResult('actor-A', 0.7);
      },
    });
    const c = ctx();
    const up = await client.storeUpload(Buffer.from('img'), c);
    const result = await client.predict('lgbm', up, c);
    expect(result).toMatchObject({ prediction: 'cataract', confidence: 0.7, actor_id: 'actor-A' });
    expect(seen).toEqual([{ uploadKey: up.key, requestId: 'req-1', deadline: c.deadline, replyTo: listener.channel }]);
    await up.release();
  });

  it('a single-reader upload is deleted by its actor with the answer, so release() sends no DEL', async () => {
    const seen: PredictJobData[] = [];
    actor = await startScriptedActor({
      redisUrl: server.url,
      handle: (d) => {
        seen.push(d);
        return okResult('actor-A', 0.7);
      },
    });
    const c = ctx();
    const up = client.storeUpload(Buffer.from('img'), c, { singleReader: true });
    await client.predict('lgbm', up, c);
    expect(seen[0].releaseUpload).toBe(true);
    expect(await redis.exists(up.key)).toBe(0); // the (scripted) actor deleted it
    await redis.set(up.key, 'sentinel'); // a DEL from release() would remove this
    await up.release();
    expect(await redis.get(up.key)).toBe('sentinel');
  });

  it('a single-reader upload that got no answer (504) is still deleted by release()', async () => {
    await advertiseActor('silent'); // accepts jobs, never answers
    const c = ctx(300);
    const up = client.storeUpload(Buffer.from('img'), c, { singleReader: true });
    await expect(client.predict('lgbm', up, c)).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(await redis.exists(up.key)).toBe(1);
    await up.release();
    expect(await redis.exists(up.key)).toBe(0);
  });

  it('two model calls can share one stored upload (the ensemble shape)', async () => {
    actor = await startScriptedActor({ redisUrl: server.url, handle: () => okResult('actor-B') });
    const c = ctx();
    const up = await client.storeUpload(Buffer.from('img'), c);
    const [a, b] = await Promise.all([client.predict('lgbm', up, c), client.predict('lgbm', up, c)]);
    expect(a.actor_id).toBe('actor-B');
    expect(b.actor_id).toBe('actor-B');
    expect(actor.jobs).toHaveLength(2);
    await up.release();
  });

  it('503 no_actor at once when no actor of the type is alive, without enqueuing', async () => {
    const up = await client.storeUpload(Buffer.from('x'), ctx());
    await expect(client.predict('lgbm', up, ctx())).rejects.toBeInstanceOf(NoActorError);
    expect(await queues.get('lgbm').getJobCounts()).toMatchObject({ waiting: 0, active: 0 });
  });

  it('503 queue_full when the waiting jobs reach MAX_QUEUED_PER_MODEL', async () => {
    actor = await startScriptedActor({ redisUrl: server.url });
    await actor.close(); // heartbeat gone with it: write one by hand so the type looks alive but idle
    actor = undefined;
    await advertiseActor('idle');
    const q = queues.get('lgbm');
    await q.add('predict', { uploadKey: 'a', requestId: 'a', deadline: Date.now() + 60000, replyTo: 'x' });
    await q.add('predict', { uploadKey: 'b', requestId: 'b', deadline: Date.now() + 60000, replyTo: 'x' });
    const err = await client.predict('lgbm', await client.storeUpload(Buffer.from('x'), ctx()), ctx()).catch((e) => e);
    expect(err).toBeInstanceOf(QueueFullError);
    expect(err.headers['Retry-After']).toBeDefined();
  });

  it('504 at the deadline, and the job is withdrawn so nobody processes it later', async () => {
    await advertiseActor('stuck');
    const c = ctx(400);
    const up = await client.storeUpload(Buffer.from('x'), c);
    await expect(client.predict('lgbm', up, c)).rejects.toBeInstanceOf(DeadlineExceededError);
    await new Promise((r) => setTimeout(r, 100));
    expect(await queues.get('lgbm').getJobCounts('waiting', 'active', 'delayed')).toEqual({ waiting: 0, active: 0, delayed: 0 });
    expect(listener.size).toBe(0);
  });

  it('415 with the actor’s code when the actor refused the image', async () => {
    actor = await startScriptedActor({
      redisUrl: server.url,
      handle: () => ({ status: 'rejected', error: { code: 'undecodable_image', message: 'premature end of JPEG' }, actor_id: 'x' }),
    });
    const err = await client.predict('lgbm', await client.storeUpload(Buffer.from('x'), ctx()), ctx()).catch((e) => e);
    expect(err).toBeInstanceOf(UnsupportedImageError);
    expect(err).toMatchObject({ status: 415, code: 'undecodable_image' });
  });

  it('a failed upload SET answers 503 and withdraws the job enqueued beside it', async () => {
    await advertiseActor('idle');
    const set = jest.spyOn(redis, 'set').mockImplementationOnce((() => Promise.reject(new Error('OOM command not allowed'))) as never);
    const c = ctx(5000);
    const up = client.storeUpload(Buffer.from('x'), c);
    await expect(client.predict('lgbm', up, c)).rejects.toBeInstanceOf(RedisUnavailableError);
    expect(set).toHaveBeenCalledTimes(1);
    expect(await queues.get('lgbm').getWaitingCount()).toBe(0);
    expect(await redis.exists(up.key)).toBe(0);
  });

  it('stops waiting and withdraws the job when the client goes away', async () => {
    await advertiseActor('slow');
    const ac = new AbortController();
    const c = ctx(5000, ac.signal);
    const p = client.predict('lgbm', await client.storeUpload(Buffer.from('x'), c), c);
    setTimeout(() => ac.abort(), 100);
    await expect(p).rejects.toBeInstanceOf(ClientGoneError);
    await new Promise((r) => setTimeout(r, 100));
    expect(await queues.get('lgbm').getWaitingCount()).toBe(0);
  });

  it('503 redis_unavailable at once while Redis is unreachable', async () => {
    redis.disconnect();
    // refused up front (status no longer ready) or by the SET itself: a 503 either way
    await expect(Promise.resolve().then(() => client.storeUpload(Buffer.from('x'), ctx()).stored)).rejects.toBeInstanceOf(RedisUnavailableError);
    const upload = { key: 'k', bytes: 1, stored: Promise.resolve(), singleReader: false, markReleased: () => undefined, release: async () => undefined };
    await expect(client.predict('lgbm', upload, ctx())).rejects.toBeInstanceOf(RedisUnavailableError);
  });
});
