import { PredictJobData, PredictJobResultSchema, ReplyMessage } from '@cataract/contracts';
import { ImageRejectedError } from '@cataract/imaging';
import { UnrecoverableError, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { DeadlinePassedError, InvalidJobError, UploadGoneError } from '../src/errors';
import { createJobProcessor } from '../src/job-processor';
import { fixedVersion } from '../src/versions/fixed-version';
import { ReplyPublisher } from '../src/reply-publisher';
import type { RuntimeOutcome } from '../src/runtimes/runtime';
import type { InferenceScheduler } from '../src/scheduling/scheduler';

const maybe = redisServerAvailable() ? describe : describe.skip;
const logger = pino({ level: 'silent' });

class FakeScheduler implements InferenceScheduler {
  inputs: Buffer[] = [];
  constructor(private readonly outcome: RuntimeOutcome) {}
  async submit(input: Buffer) {
    this.inputs.push(input);
    return this.outcome;
  }
  stats() {
    return undefined;
  }
  async close() {}
}

maybe('job processor (private redis-server)', () => {
  let server: RedisServer;
  let redis: Redis;
  let sub: Redis;
  const messages: ReplyMessage[] = [];

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    sub = new Redis(server.url);
    await sub.subscribe('replies:test');
    sub.on('message', (_c, m) => messages.push(JSON.parse(m)));
  });
  afterAll(async () => {
    redis.disconnect();
    sub.disconnect();
    await server.stop();
  });
  beforeEach(() => {
    messages.length = 0;
  });

  const job = (data: Partial<PredictJobData>, id = 'job-1') =>
    ({ id, data: { uploadKey: 'cataract:upload:1', requestId: 'req-1', deadline: Date.now() + 10_000, replyTo: 'replies:test', ...data } }) as Job<PredictJobData>;

  const processor = (scheduler: InferenceScheduler, threshold = 0.5) =>
    createJobProcessor({ redis, versions: fixedVersion(scheduler, { version: 'v-1', threshold }), actorId: 'actor-1', replies: new ReplyPublisher(redis, logger), logger });

  const waitForMessages = async (n: number) => {
    for (let i = 0; i < 100 && messages.length < n; i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('reads the upload, decides with the manifest threshold, publishes and returns the same result', async () => {
    await redis.set('cataract:upload:1', Buffer.from([9, 8, 7]));
    const sched = new FakeScheduler({ ok: true, probabilities: { cataract: 0.4, normal: 0.6 } });
    const result = await processor(sched, 0.35)(job({}));
    expect(sched.inputs).toEqual([Buffer.from([9, 8, 7])]);
    expect(result).toEqual({ status: 'ok', prediction: 'cataract', confidence: 0.4, probabilities: { cataract: 0.4, normal: 0.6 }, model_version: 'v-1', actor_id: 'actor-1' });
    await waitForMessages(1);
    expect(messages).toEqual([{ outcome: 'completed', jobId: 'job-1', result }]);
  });

  it('publishes the job’s timings: queue wait from BullMQ’s stamps, processing, and what the runtime measured', async () => {
    await redis.set('cataract:upload:t', Buffer.from([1]));
    const timings = { preprocessMs: 7.5, inferenceMs: 2.25, batchSize: 3 };
    const sched = new FakeScheduler({ ok: true, probabilities: { cataract: 0.9, normal: 0.1 }, timings });
    const j = Object.assign(job({ uploadKey: 'cataract:upload:t' }, 'job-t'), { timestamp: Date.now() - 40, processedOn: Date.now() - 15 });
    const result = await processor(sched)(j);
    expect(result.timings).toEqual({
      queue_wait_ms: j.processedOn! - j.timestamp,
      processing_ms: expect.any(Number),
      preprocess_ms: 7.5,
      inference_ms: 2.25,
      batch_size: 3,
    });
    expect(result.timings!.processing_ms).toBeGreaterThanOrEqual(0);
    PredictJobResultSchema.parse(result);
    await waitForMessages(1);
    expect(messages[0]).toMatchObject({ outcome: 'completed', jobId: 'job-t', result: { timings: result.timings } });
  });

  it('passes the runtime’s input statistics on in the result (drift monitoring), inside the contract', async () => {
    await redis.set('cataract:upload:s', Buffer.from([1]));
    const inputStats = { long_side: 512, brightness: 120.5, colourfulness: 33.1, sharpness: 410 };
    const sched = new FakeScheduler({ ok: true, probabilities: { cataract: 0.2, normal: 0.8 }, inputStats });
    const result = await processor(sched)(job({ uploadKey: 'cataract:upload:s' }, 'job-s'));
    expect(result).toMatchObject({ status: 'ok', input_stats: inputStats });
    PredictJobResultSchema.parse(result);
    await waitForMessages(1);
    expect(messages[0]).toMatchObject({ jobId: 'job-s', result: { input_stats: inputStats } });
  });

  it('returns (not throws) a rejection for an image imaging refuses, so it is never retried', async () => {
    await redis.set('cataract:upload:2', Buffer.from('x'));
    const sched = new FakeScheduler({ ok: false, error: new ImageRejectedError('undecodable_image', 'premature end') });
    const result = await processor(sched)(job({ uploadKey: 'cataract:upload:2' }, 'job-2'));
    expect(result).toEqual({ status: 'rejected', error: { code: 'undecodable_image', message: 'premature end' }, model_version: 'v-1', actor_id: 'actor-1' });
    await waitForMessages(1);
    expect(messages[0]).toMatchObject({ outcome: 'completed', jobId: 'job-2', result: { status: 'rejected' } });
  });

  it('throws other runtime errors (retryable) without replying', async () => {
    await redis.set('cataract:upload:3', Buffer.from('x'));
    const err = await processor(new FakeScheduler({ ok: false, error: new Error('EAGAIN') }))(job({ uploadKey: 'cataract:upload:3' })).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(UnrecoverableError);
    await new Promise((r) => setTimeout(r, 50));
    expect(messages).toEqual([]);
  });

  it('drops a job whose deadline passed, without reading the upload or running the model', async () => {
    const sched = new FakeScheduler({ ok: true, probabilities: { cataract: 0.1, normal: 0.9 } });
    const err = await processor(sched)(job({ deadline: Date.now() - 5 })).catch((e) => e);
    expect(err).toBeInstanceOf(DeadlinePassedError);
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect(sched.inputs).toEqual([]);
  });

  it('drops a job whose upload is gone (its request already ended)', async () => {
    const sched = new FakeScheduler({ ok: true, probabilities: { cataract: 0.1, normal: 0.9 } });
    const err = await processor(sched)(job({ uploadKey: 'cataract:upload:missing' })).catch((e) => e);
    expect(err).toBeInstanceOf(UploadGoneError);
    expect(sched.inputs).toEqual([]);
  });

  it('deletes the upload with its reply when the job is its only reader, and leaves a shared one', async () => {
    const sched = new FakeScheduler({ ok: true, probabilities: { cataract: 0.8, normal: 0.2 } });
    await redis.set('cataract:upload:own', Buffer.from([1]));
    await redis.set('cataract:upload:shared', Buffer.from([2]));
    await processor(sched)(job({ uploadKey: 'cataract:upload:own', releaseUpload: true }, 'job-own'));
    await processor(sched)(job({ uploadKey: 'cataract:upload:shared' }, 'job-shared'));
    expect(await redis.exists('cataract:upload:own')).toBe(0);
    expect(await redis.exists('cataract:upload:shared')).toBe(1);
    await waitForMessages(2);
    expect(messages.map((m) => m.jobId)).toEqual(['job-own', 'job-shared']);
  });

  it('deletes its only upload with a rejection too (nobody reads it after an answer)', async () => {
    await redis.set('cataract:upload:bad', Buffer.from('x'));
    const sched = new FakeScheduler({ ok: false, error: new ImageRejectedError('undecodable_image', 'premature end') });
    await processor(sched)(job({ uploadKey: 'cataract:upload:bad', releaseUpload: true }, 'job-bad'));
    expect(await redis.exists('cataract:upload:bad')).toBe(0);
    await waitForMessages(1);
    expect(messages[0]).toMatchObject({ outcome: 'completed', jobId: 'job-bad', result: { status: 'rejected' } });
  });

  it('keeps the upload when the model fails (a retry reads it again)', async () => {
    await redis.set('cataract:upload:retry', Buffer.from('x'));
    await processor(new FakeScheduler({ ok: false, error: new Error('EAGAIN') }))(job({ uploadKey: 'cataract:upload:retry', releaseUpload: true })).catch(() => undefined);
    expect(await redis.exists('cataract:upload:retry')).toBe(1);
  });

  it('refuses a job naming any key but an upload (whoever added it), and touches nothing', async () => {
    await redis.set('bull:lgbm:meta', 'queue settings');
    const sched = new FakeScheduler({ ok: true, probabilities: { cataract: 0.1, normal: 0.9 } });
    for (const uploadKey of ['bull:lgbm:meta', 'cataract:upload:../x', 'cataract:upload:', 'cataract:ratelimit:key:1']) {
      const err = await processor(sched)(job({ uploadKey, releaseUpload: true }, 'job-forged')).catch((e) => e);
      expect(err).toBeInstanceOf(InvalidJobError);
      expect(err).toBeInstanceOf(UnrecoverableError); // never retried
    }
    expect(sched.inputs).toEqual([]);
    expect(await redis.get('bull:lgbm:meta')).toBe('queue settings');
    await new Promise((r) => setTimeout(r, 50));
    expect(messages).toEqual([]);
  });

  it('refuses a payload that breaks the contract', async () => {
    const bad = { id: 'j', data: { uploadKey: 'x' } } as unknown as Job<PredictJobData>;
    await expect(processor(new FakeScheduler({ ok: true, probabilities: { cataract: 0, normal: 1 } }))(bad)).rejects.toBeInstanceOf(InvalidJobError);
  });
});
