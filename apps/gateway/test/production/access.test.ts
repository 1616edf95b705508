/**
 * Who may see and spend what, on the gateway's whole app over a private redis-server: the
 * attacks of the security review must fail and the legitimate path must still work.
 */
import { HealthResponseSchema } from '@cataract/contracts';
import pino from 'pino';
import sharp from 'sharp';
import request from 'supertest';
import { syntheticEye } from '@cataract/test-support/photos';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { okResult, ScriptedActor, startScriptedActor } from '@cataract/test-support/scripted-actor';
import { createGatewayServices, GatewayServices } from '../../src/process/worker-services';
import { keyId } from '../../src/http/security/api-keys';
import { IN_FLIGHT_PREFIX } from '../../src/http/security/fair-share';
import { servicesReady, testConfig } from '../helpers';

const maybe = redisServerAvailable() ? describe : describe.skip;
const CLIENT_A = 'client-key-alpha-5e1d';
const CLIENT_B = 'client-key-bravo-08c2';
const ADMIN = 'admin-key-9a7b';

maybe('access control and fair sharing on the gateway app (over a private redis-server)', () => {
  let server: RedisServer;
  let svc: GatewayServices;
  let actor: ScriptedActor;
  let photo: Buffer;
  let bigPng: Buffer;
  const logLines: string[] = [];
  /** Jobs wait here while `holding` (to keep requests in flight), and are answered on release. */
  let holding = false;
  let waiters: Array<() => void> = [];
  const release = () => {
    holding = false;
    waiters.splice(0).forEach((w) => w());
  };

  beforeAll(async () => {
    server = await startRedis();
    const config = testConfig({
      REDIS_URL: server.url,
      REQUEST_TIMEOUT_MS: '8000',
      API_KEYS: `${CLIENT_A},${CLIENT_B}`,
      ADMIN_KEYS: ADMIN,
      MAX_INFLIGHT_PER_CLIENT: '4',
      AUTH_FAILURES_PER_MINUTE: '5',
      TRUST_PROXY: '10.9.9.9', // a proxy that is not the test client: its X-Forwarded-For is ignored
    });
    const logger = pino({ level: 'info' }, { write: (line: string) => logLines.push(line) });
    svc = createGatewayServices(config, logger, { registryCacheMs: 0 });
    await servicesReady(svc);
    actor = await startScriptedActor({
      redisUrl: server.url,
      id: 'access-actor',
      concurrency: 16,
      handle: async () => {
        if (holding) await new Promise<void>((resolve) => waiters.push(resolve));
        return okResult('access-actor', 0.3);
      },
    });
    photo = await syntheticEye({ label: 'normal', seed: 3 });
    // 3000x3000 PNG: 9 MP decoded whole (no shrink-on-load for PNG), cost 10 units > the cap of 4
    bigPng = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: { r: 90, g: 60, b: 40 } } }).png().toBuffer();
  }, 60_000);
  afterAll(async () => {
    release();
    await actor?.close();
    await svc?.close();
    await server?.stop();
  });

  const predict = (key: string, image = photo, path = '/predict_lgbm') =>
    request(svc.app).post(path).set('X-API-Key', key).attach('file', image, image === photo ? 'eye.jpg' : 'big.png');

  it('anonymous /health says only ok or degraded; an admin credential sees the detail; a client key does not', async () => {
    const anonymous = await request(svc.app).get('/health');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({ status: 'ok', timestamp: expect.any(String) });
    expect(JSON.stringify(anonymous.body)).not.toMatch(/pid|host|redis/);
    expect((await request(svc.app).get('/health').set('X-API-Key', CLIENT_A)).body).toEqual({ status: 'ok', timestamp: expect.any(String) });
    const admin = await request(svc.app).get('/health').set('X-API-Key', ADMIN);
    const body = HealthResponseSchema.parse(admin.body);
    expect(body.actors.lgbm).toEqual([expect.objectContaining({ id: 'access-actor', pid: process.pid })]);
  });

  it('/metrics is for operators: a client key is refused, the admin key reads it', async () => {
    expect((await request(svc.app).get('/metrics')).status).toBe(401);
    const client = await request(svc.app).get('/metrics').set('X-API-Key', CLIENT_A);
    expect(client.status).toBe(403);
    expect(client.text).not.toContain('# TYPE');
    const admin = await request(svc.app).get('/metrics').set('Authorization', `Bearer ${ADMIN}`);
    expect(admin.status).toBe(200);
    expect(admin.text).toContain('# TYPE');
    // and the admin key does not predict
    expect((await predict(ADMIN)).status).toBe(403);
  });

  it('one client cannot hold more than MAX_INFLIGHT_PER_CLIENT units in flight; another client is not held back', async () => {
    holding = true;
    const a = [1, 2, 3, 4].map(() => predict(CLIENT_A).then((r) => r));
    await waitFor(async () => (await inFlightUnits(CLIENT_A)) === 4);
    const fifth = await predict(CLIENT_A);
    expect(fifth.status).toBe(429);
    expect(fifth.body.error.code).toBe('too_many_in_flight');
    expect(Number(fifth.headers['retry-after'])).toBeGreaterThan(0);
    const b = predict(CLIENT_B).then((r) => r);
    await waitFor(async () => (await inFlightUnits(CLIENT_B)) === 1);
    release();
    expect((await Promise.all(a)).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect((await b).status).toBe(200);
    await waitFor(async () => (await inFlightUnits(CLIENT_A)) === 0);
  });

  it('a large image costs its decoded size: alone it goes through, beside it nothing more of the same client does', async () => {
    holding = true;
    const big = predict(CLIENT_A, bigPng).then((r) => r);
    await waitFor(async () => (await inFlightUnits(CLIENT_A)) === 10);
    const small = await predict(CLIENT_A);
    expect(small.status).toBe(429);
    expect(small.body.error.message).toMatch(/cost 1\b/);
    const other = predict(CLIENT_B).then((r) => r);
    await waitFor(async () => (await inFlightUnits(CLIENT_B)) === 1);
    release();
    expect((await big).status).toBe(200);
    expect((await other).status).toBe(200);
    // the ensemble decodes the image twice: it costs double
    holding = true;
    const ensemble = predict(CLIENT_B, photo, '/predict_ensemble').then((r) => r);
    await waitFor(async () => (await inFlightUnits(CLIENT_B)) === 2);
    release();
    await ensemble;
    await waitFor(async () => (await inFlightUnits(CLIENT_A)) + (await inFlightUnits(CLIENT_B)) === 0);
  });

  it('a key sent in the query string is refused and never logged', async () => {
    const r = await request(svc.app).post(`/predict_lgbm?api_key=${CLIENT_A}&x=1`).attach('file', photo, 'eye.jpg');
    expect(r.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = logLines.map((l) => JSON.parse(l)).find((l) => l.req?.id === r.headers['x-request-id']);
    expect(line.req.url).toBe('/predict_lgbm');
    expect(logLines.join('\n')).not.toContain(CLIENT_A);
  });

  it('wrong keys meet a 429 after AUTH_FAILURES_PER_MINUTE, whatever X-Forwarded-For says; a right key still passes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await request(svc.app).post('/predict_lgbm').set('X-API-Key', `guess-${i}`).set('X-Forwarded-For', `203.0.113.${i}`);
      statuses.push(r.status);
      if (r.status === 429) {
        expect(r.body.error.code).toBe('rate_limited');
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    // the query-string attempt above was the first refusal of this address
    expect(statuses).toEqual([403, 403, 403, 403, 429, 429, 429, 429]);
    expect((await predict(CLIENT_B)).status).toBe(200);
  });

  async function inFlightUnits(key: string): Promise<number> {
    const members: string[] = await svc.redis.zrange(`${IN_FLIGHT_PREFIX}key:${keyId(key)}`, '0', '-1');
    return members.reduce((n: number, m: string) => n + Number(m.split('|')[0]), 0);
  }
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
