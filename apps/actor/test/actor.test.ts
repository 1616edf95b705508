import { BULL_PREFIX, PredictJobData, QUEUE_NAMES, redisKeys, ReplyMessage } from '@cataract/contracts';
import { extractLgbmFeatures } from '@cataract/imaging';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { fixtureProbability, LgbmFixture, writeLgbmFixture } from '@cataract/test-support/models';
import { syntheticEye } from '@cataract/test-support/photos';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { startActor, RunningActor } from '../src/actor';
import { loadConfig } from '../src/config';

const maybe = redisServerAvailable() ? describe : describe.skip;

maybe('actor end to end in-process (private redis-server, fixture model)', () => {
  let server: RedisServer;
  let fx: LgbmFixture;
  let redis: Redis;
  let sub: Redis;
  let queue: Queue<PredictJobData>;
  let actor: RunningActor | undefined;
  const replies: ReplyMessage[] = [];

  beforeAll(async () => {
    server = await startRedis();
    fx = writeLgbmFixture();
    redis = new Redis(server.url);
    sub = new Redis(server.url);
    await sub.subscribe('replies:actor-test');
    sub.on('message', (_c, m) => replies.push(JSON.parse(m)));
    queue = new Queue<PredictJobData>(QUEUE_NAMES.lgbm, { connection: redis, prefix: BULL_PREFIX });
  });
  afterAll(async () => {
    await actor?.close();
    await queue.close();
    redis.disconnect();
    sub.disconnect();
    fx.remove();
    await server.stop();
  });

  const config = () => loadConfig(['--model', 'lgbm'], { REDIS_URL: server.url, MODELS_DIR: fx.modelsDir, ACTOR_ID: 'in-proc-1', LOG_LEVEL: 'silent' });

  it('registers a heartbeat once ready, answers jobs through pub/sub and the job state', async () => {
    actor = await startActor(config(), pino({ level: 'silent' }));
    expect(actor.modelVersion).toBe(fx.version);
    expect(await redis.exists(redisKeys.actor('lgbm', 'in-proc-1'))).toBe(1);

    const img = await syntheticEye({ label: 'cataract', seed: 21 });
    await redis.set('cataract:upload:t1', img);
    const job = await queue.add('predict', { uploadKey: 'cataract:upload:t1', requestId: 'r1', deadline: Date.now() + 20_000, replyTo: 'replies:actor-test' }, { jobId: 't1' });
    const expectedP = fixtureProbability(fx, await extractLgbmFeatures(img));
    for (let i = 0; i < 200 && replies.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ outcome: 'completed', jobId: 't1', result: { status: 'ok', actor_id: 'in-proc-1', model_version: fx.version } });
    const msg = replies[0];
    if (msg.outcome !== 'completed' || msg.result.status !== 'ok') throw new Error('unexpected reply');
    expect(msg.result.probabilities.cataract).toBeCloseTo(expectedP, 12);
    // The reply is published before BullMQ stores the return value: wait for the stored state too.
    let stored = await queue.getJob(job.id!);
    for (let i = 0; i < 200 && !stored?.returnvalue; i++) {
      await new Promise((r) => setTimeout(r, 25));
      stored = await queue.getJob(job.id!);
    }
    expect(stored?.returnvalue).toEqual(msg.result);
  });

  it('publishes a failure for a job it drops because its deadline passed', async () => {
    replies.length = 0;
    await redis.set('cataract:upload:t2', Buffer.from('x'));
    await queue.add('predict', { uploadKey: 'cataract:upload:t2', requestId: 'r2', deadline: Date.now() - 1, replyTo: 'replies:actor-test' }, { jobId: 't2', attempts: 3 });
    for (let i = 0; i < 200 && replies.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(replies[0]).toMatchObject({ outcome: 'failed', jobId: 't2', message: expect.stringContaining('deadline') });
    const job = await queue.getJob('t2');
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1); // not retried
  });

  it('close() removes the heartbeat at once', async () => {
    await actor!.close();
    actor = undefined;
    expect(await redis.exists(redisKeys.actor('lgbm', 'in-proc-1'))).toBe(0);
  });
});
