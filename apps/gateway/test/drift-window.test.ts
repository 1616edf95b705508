import type { PredictJobResult } from '@cataract/contracts';
import { Redis } from 'ioredis';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { DriftWindow, driftKeys, parseAnswer } from '../src/drift';

const maybe = redisServerAvailable() ? describe : describe.skip;
const stats = { long_side: 512, brightness: 120.123456789, colourfulness: 33.5, sharpness: 410.25 };
const answer = (prediction: 'cataract' | 'normal', version = 'v1', withStats = true): PredictJobResult => ({
  status: 'ok',
  prediction,
  confidence: 0.9,
  probabilities: prediction === 'cataract' ? { cataract: 0.9, normal: 0.1 } : { cataract: 0.1, normal: 0.9 },
  model_version: version,
  actor_id: 'a',
  ...(withStats && { input_stats: stats }),
});

/** Recording is sent without waiting; a PING on the same connection returns after it. */
const settled = (redis: Redis) => redis.ping();

maybe('DriftWindow (private redis-server)', () => {
  let server: RedisServer;
  let redis: Redis;
  let clock = 1_000_000;
  const now = () => clock;

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });
  beforeEach(async () => {
    await redis.flushall();
    clock = 1_000_000;
  });

  it('keeps each version\'s last N answers with their label and input statistics, newest first', async () => {
    const w = new DriftWindow(redis, { windowAnswers: 3, windowHours: 0, now });
    for (const p of ['cataract', 'normal', 'normal', 'cataract', 'cataract'] as const) {
      clock += 1000;
      w.recordAnswer('lgbm', answer(p));
    }
    w.recordAnswer('clip', answer('normal', 'c1', false));
    await settled(redis);
    expect(await redis.llen(driftKeys.answers('lgbm', 'v1'))).toBe(3);
    const snap = await w.read();
    const lgbm = snap.versions.find((v) => v.model === 'lgbm')!;
    expect(lgbm.answers.map((a) => a.positive)).toEqual([true, true, false]);
    expect(lgbm.answers[0].stats).toEqual({ long_side: 512, brightness: 120.123, colourfulness: 33.5, sharpness: 410.25 });
    expect(snap.versions.find((v) => v.model === 'clip')).toMatchObject({ version: 'c1', answers: [{ positive: false }] });
    expect(snap.versions.find((v) => v.model === 'clip')!.answers[0].stats).toBeUndefined();
  });

  it('a refusal is not an answer: nothing is recorded', async () => {
    const w = new DriftWindow(redis, { windowAnswers: 10, windowHours: 0, now });
    w.recordAnswer('lgbm', { status: 'rejected', error: { code: 'undecodable_image', message: 'x' }, actor_id: 'a', model_version: 'v1' });
    await settled(redis);
    expect(await w.read()).toEqual({ versions: [], ensemble: [] });
  });

  it('the time bound: answers and reviews older than T hours are left out, and every key expires', async () => {
    const w = new DriftWindow(redis, { windowAnswers: 100, windowHours: 1, now });
    w.recordAnswer('lgbm', answer('cataract'));
    w.recordEnsemble(true);
    await w.recordReviews([{ model: 'lgbm', version: 'v1', requestId: 'r-old', correct: false }]);
    clock += 3600_000 + 1;
    w.recordAnswer('lgbm', answer('normal'));
    w.recordEnsemble(false);
    await w.recordReviews([{ model: 'lgbm', version: 'v1', requestId: 'r-new', correct: true }]);
    await settled(redis);
    const snap = await w.read();
    expect(snap.versions[0].answers.map((a) => a.positive)).toEqual([false]);
    expect(snap.versions[0].reviews).toEqual({ correct: 1, wrong: 0 });
    expect(snap.ensemble).toEqual([{ at: clock, disagree: false }]);
    for (const key of [driftKeys.answers('lgbm', 'v1'), driftKeys.ensemble, driftKeys.versions, driftKeys.reviews('lgbm', 'v1', 'ok')]) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(3600_000);
      expect(ttl).toBeLessThanOrEqual(2 * 3600_000);
    }
  });

  it('a key\'s expiry and index entry are refreshed at most every tenth of the time bound (at most a minute) per worker', async () => {
    const w = new DriftWindow(redis, { windowAnswers: 100, windowHours: 1, now });
    const key = driftKeys.answers('lgbm', 'v1');
    w.recordAnswer('lgbm', answer('normal'));
    await settled(redis);
    await redis.persist(key);
    clock += 59_000;
    w.recordAnswer('lgbm', answer('normal'));
    await settled(redis);
    expect(await redis.pttl(key)).toBe(-1); // not refreshed yet
    expect(Number(await redis.zscore(driftKeys.versions, 'lgbm:v1'))).toBe(1_000_000);
    clock += 2_000;
    w.recordAnswer('lgbm', answer('normal'));
    await settled(redis);
    expect(await redis.pttl(key)).toBeGreaterThan(3600_000);
    expect(Number(await redis.zscore(driftKeys.versions, 'lgbm:v1'))).toBe(clock);
    expect(await redis.llen(key)).toBe(3);
  });

  it('a version last seen before the time bound drops out of the index', async () => {
    const w = new DriftWindow(redis, { windowAnswers: 100, windowHours: 1, now });
    w.recordAnswer('lgbm', answer('cataract', 'old'));
    clock += 2 * 3600_000;
    w.recordAnswer('lgbm', answer('cataract', 'new'));
    await settled(redis);
    expect((await w.read()).versions.map((v) => v.version)).toEqual(['new']);
    expect(await redis.zrange(driftKeys.versions, '0', '-1')).toEqual(['lgbm:new']);
  });

  it('reviews: a replaced review moves the request between right and wrong, never counted twice; at most N kept', async () => {
    const w = new DriftWindow(redis, { windowAnswers: 2, windowHours: 0, now });
    await w.recordReviews([{ model: 'clip', version: 'c1', requestId: 'r1', correct: true }]);
    await w.recordReviews([{ model: 'clip', version: 'c1', requestId: 'r1', correct: false }]);
    expect((await w.read()).versions[0]).toMatchObject({ model: 'clip', version: 'c1', answers: [], reviews: { correct: 0, wrong: 1 } });
    for (const id of ['r2', 'r3', 'r4']) {
      clock += 1;
      await w.recordReviews([{ model: 'clip', version: 'c1', requestId: id, correct: true }]);
    }
    expect((await w.read()).versions[0].reviews).toEqual({ correct: 2, wrong: 1 });
  });

  it('ensemble comparisons are capped at N too', async () => {
    const w = new DriftWindow(redis, { windowAnswers: 2, windowHours: 0, now });
    for (const d of [true, true, false]) w.recordEnsemble(d);
    await settled(redis);
    expect((await w.read()).ensemble.map((e) => e.disagree)).toEqual([false, true]);
  });

  it('a failed recording (Redis gone) is reported to onError, never thrown at the answer', async () => {
    // Nothing listens on port 1; like the gateway's request connection, no offline queue.
    const gone = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, retryStrategy: () => 100, maxRetriesPerRequest: 0 });
    gone.on('error', () => undefined);
    const errors: Error[] = [];
    const w = new DriftWindow(gone, { windowAnswers: 2, windowHours: 0, onError: (e) => errors.push(e) });
    expect(() => w.recordAnswer('lgbm', answer('normal'))).not.toThrow();
    for (let i = 0; i < 50 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(errors.length).toBe(1);
    gone.disconnect();
  });

  it('parseAnswer skips entries of another format', () => {
    expect(parseAnswer('12|1')).toEqual({ at: 12, positive: true });
    expect(parseAnswer('garbage')).toBeUndefined();
    expect(parseAnswer('12|x|3')).toBeUndefined();
  });
});
