import express, { Express } from 'express';
import { Redis } from 'ioredis';
import pino from 'pino';
import request from 'supertest';
import { freePort } from '@cataract/test-support/ports';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { errorHandler } from '../../src/http/middleware/error-handler';
import { closeRedis, connectRedis } from '@cataract/service-kit';
import { keyId } from '../../src/http/security/api-keys';
import type { RefusalHandler } from '../../src/http/security/auth-failures';
import { requireClient } from '../../src/http/security/role-guards';
import { Roles } from '../../src/http/security/roles';
import { createRateLimiter, RATE_LIMIT_PREFIX } from '../../src/http/security/rate-limit';

const maybe = redisServerAvailable() ? describe : describe.skip;
const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Captures the limiter's log lines (level + message) to check what is said and what is not. */
function captureLogger() {
  const lines: Array<{ level: number; msg: string; raw: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => lines.push({ ...JSON.parse(s), raw: s }) });
  return { logger, lines };
}

/** One "gateway worker": auth first, then the shared limiter, then a handler. */
const passRefusal: RefusalHandler = (_req, _res, next, refusal) => next(refusal);

function worker(redis: Redis, perMinute: number, keys: string[], logger = silent): Express {
  const app = express();
  app.set('trust proxy', true); // lets tests play several client addresses via X-Forwarded-For
  app.use(requireClient(new Roles({ apiKeys: keys, adminKeys: [] }), passRefusal));
  const limiter = createRateLimiter({ perMinute, redis, logger });
  if (limiter) app.use(limiter);
  app.post('/predict_lgbm', (_req, res) => res.json({ ok: true }));
  app.use(errorHandler);
  return app;
}

const waitReady = async (r: Redis) => {
  for (let i = 0; i < 100 && r.status !== 'ready'; i++) await sleep(20);
};

maybe('rate limit (rate-limit-redis, over a private redis-server)', () => {
  let server: RedisServer;
  const conns: Redis[] = [];
  const conn = async () => {
    const r = connectRedis(server.url, 'request', 'rl-test', silent);
    conns.push(r);
    await waitReady(r);
    return r;
  };

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(conns.map((c) => closeRedis(c)));
    await server?.stop();
  });
  afterEach(async () => {
    const admin = new Redis(server.url);
    await admin.flushdb();
    admin.disconnect();
  });

  it('is exact across workers sharing one Redis: N answers, then 429 with Retry-After and RateLimit-* headers', async () => {
    const ring = ['k1'];
    const workers = await Promise.all([1, 2, 3, 4].map(async () => worker(await conn(), 10, ring)));
    const statuses: number[] = [];
    let last429: request.Response | undefined;
    for (let i = 0; i < 16; i++) {
      const r = await request(workers[i % 4]).post('/predict_lgbm').set('X-API-Key', 'k1');
      statuses.push(r.status);
      if (r.status === 200) {
        expect(r.headers['ratelimit-limit']).toBe('10');
        expect(Number(r.headers['ratelimit-remaining'])).toBe(10 - (i + 1));
      } else last429 = r;
    }
    expect(statuses).toEqual([...Array(10).fill(200), ...Array(6).fill(429)]);
    expect(last429!.body).toEqual({ error: { code: 'rate_limited', message: expect.stringContaining('10 requests per minute') }, request_id: expect.any(String) });
    const retryAfter = Number(last429!.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(last429!.headers['ratelimit-remaining']).toBe('0');
  });

  it('counts per key by key id (never the raw key), and refused credentials spend nobody’s budget', async () => {
    const ring = ['secret-key-one', 'secret-key-two'];
    const app = worker(await conn(), 3, ring);
    for (let i = 0; i < 5; i++) {
      expect((await request(app).post('/predict_lgbm')).status).toBe(401);
      expect((await request(app).post('/predict_lgbm').set('X-API-Key', 'wrong')).status).toBe(403);
    }
    const one = [];
    for (let i = 0; i < 4; i++) one.push((await request(app).post('/predict_lgbm').set('X-API-Key', 'secret-key-one')).status);
    expect(one).toEqual([200, 200, 200, 429]);
    // another key has its own budget
    expect((await request(app).post('/predict_lgbm').set('Authorization', 'Bearer secret-key-two')).status).toBe(200);

    const admin = new Redis(server.url);
    const keys = await admin.keys('*');
    admin.disconnect();
    expect(keys.sort()).toEqual([`${RATE_LIMIT_PREFIX}key:${keyId('secret-key-one')}`, `${RATE_LIMIT_PREFIX}key:${keyId('secret-key-two')}`].sort());
    expect(keys.join(' ')).not.toContain('secret');
  });

  it('counts per client address when auth is off', async () => {
    const app = worker(await conn(), 2, ([]));
    const from = async (ip: string) => (await request(app).post('/predict_lgbm').set('X-Forwarded-For', ip)).status;
    expect([await from('10.0.0.1'), await from('10.0.0.1'), await from('10.0.0.1')]).toEqual([200, 200, 429]);
    expect(await from('10.0.0.2')).toBe(200);
  });

  it('RATE_LIMIT_PER_MINUTE=0 turns it off', () => {
    expect(createRateLimiter({ perMinute: 0, redis: {} as Redis, logger: silent })).toBeUndefined();
  });

  it('fails open with one warning while Redis is down, and counts again once it is back', async () => {
    const port = await freePort();
    const own = await startRedis({ port });
    const r = connectRedis(own.url, 'request', 'rl-down', silent);
    conns.push(r);
    await waitReady(r);
    const { logger, lines } = captureLogger();
    const app = worker(r, 2, (['k1']), logger);
    expect((await request(app).post('/predict_lgbm').set('X-API-Key', 'k1')).status).toBe(200);

    await own.stop();
    for (let i = 0; i < 5; i++) expect((await request(app).post('/predict_lgbm').set('X-API-Key', 'k1')).status).toBe(200);
    const warnings = lines.filter((l) => /rate limiting suspended/.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].level).toBe(40);
    expect(lines.map((l) => l.raw).join('\n')).not.toContain('"k1"');

    // Redis returns empty (a restart): the script cache is gone too, and the store reloads it
    const back = await startRedis({ port });
    await waitReady(r);
    const after = [];
    for (let i = 0; i < 3; i++) after.push((await request(app).post('/predict_lgbm').set('X-API-Key', 'k1')).status);
    expect(after).toEqual([200, 200, 429]);
    expect(lines.some((l) => l.msg === 'rate limiting restored')).toBe(true);
    await closeRedis(r);
    await back.stop();
  });

  it('works for a gateway started before Redis (script loaded on first use)', async () => {
    const port = await freePort();
    const r = connectRedis(`redis://127.0.0.1:${port}`, 'request', 'rl-late', silent);
    conns.push(r);
    const app = worker(r, 1, (['k1'])); // SCRIPT LOAD fails now: nothing listens yet
    await sleep(100);
    const own = await startRedis({ port });
    await waitReady(r);
    expect((await request(app).post('/predict_lgbm').set('X-API-Key', 'k1')).status).toBe(200);
    expect((await request(app).post('/predict_lgbm').set('X-API-Key', 'k1')).status).toBe(429);
    await closeRedis(r);
    await own.stop();
  });
});
