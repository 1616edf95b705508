import express from 'express';
import { Redis } from 'ioredis';
import pino from 'pino';
import request from 'supertest';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { errorHandler } from '../../src/http/middleware/error-handler';
import { closeRedis, connectRedis } from '@cataract/service-kit';
import { authFailureLimiter } from '../../src/http/security/auth-failures';
import { requireClient } from '../../src/http/security/role-guards';
import { Roles } from '../../src/http/security/roles';
import { parseTrustProxy } from '../../src/http/security/trust-proxy';

describe('TRUST_PROXY', () => {
  it('takes addresses, CIDR subnets and Express range names; none by default', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('172.31.255.2')).toEqual(['172.31.255.2']);
    expect(parseTrustProxy(' loopback, 10.0.0.0/8 ,fd00::/8,::1')).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '::1']);
  });

  it('refuses a hop count or true (they would believe any direct client) and anything that is not an address', () => {
    for (const v of ['1', '2', 'true', 'yes', 'nginx', '10.0.0.0/33', '::1/129', '1.2.3.4/8/1']) {
      expect(() => parseTrustProxy(v)).toThrow(/TRUST_PROXY/);
    }
  });
});

const maybe = redisServerAvailable() ? describe : describe.skip;

maybe('the per-address count of refused keys behind TRUST_PROXY (over a private redis-server)', () => {
  let server: RedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedis();
    redis = connectRedis(server.url, 'request', 'trust-test', pino({ level: 'silent' }));
    for (let i = 0; i < 100 && redis.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 20));
  });
  afterAll(async () => {
    await closeRedis(redis);
    await server?.stop();
  });
  afterEach(async () => {
    await redis.flushdb();
  });

  const app = (trustProxy: string) => {
    const a = express();
    a.set('trust proxy', parseTrustProxy(trustProxy));
    const refuse = authFailureLimiter({ perMinute: 3, redis, logger: pino({ level: 'silent' }) });
    a.post('/predict_lgbm', requireClient(new Roles({ apiKeys: ['k1'], adminKeys: [] }), refuse), (_req, res) => res.json({ ok: true }));
    a.use(errorHandler);
    return a;
  };
  const guesses = async (a: express.Express, n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await request(a).post('/predict_lgbm').set('X-API-Key', `guess-${i}`).set('X-Forwarded-For', `198.51.100.${i}`)).status);
    return out;
  };

  it('a client that is not a listed proxy cannot pick its address with X-Forwarded-For', async () => {
    expect(await guesses(app('172.31.255.2'), 5)).toEqual([403, 403, 403, 429, 429]);
  });

  it('through a listed proxy, each forwarded client is counted by its own address', async () => {
    expect(await guesses(app('loopback'), 5)).toEqual([403, 403, 403, 403, 403]);
  });
});
