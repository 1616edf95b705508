import { BULL_PREFIX } from '@cataract/contracts';
import { Queue } from 'bullmq';
import express from 'express';
import request from 'supertest';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { dashboardRouter } from '../../src/dashboard';
import { errorHandler } from '../../src/middleware/error-handler';
import { ApiKeyRing } from '../../src/security/api-keys';

const maybe = redisServerAvailable() ? describe : describe.skip;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

maybe('queue dashboard at /admin/queues (over a private redis-server)', () => {
  let server: RedisServer;
  let queues: Queue[];

  beforeAll(async () => {
    server = await startRedis();
    queues = ['lgbm', 'clip'].map((name) => new Queue(name, { connection: { url: server.url }, prefix: BULL_PREFIX }));
    await queues[0].add('predict', { uploadKey: 'k', requestId: 'r', deadline: Date.now() + 60_000, replyTo: 'c' });
  });
  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
    await server?.stop();
  });

  const app = (opts: Partial<Parameters<typeof dashboardRouter>[0]>) => {
    const d = dashboardRouter({ queues, ring: new ApiKeyRing([]), readOnly: true, ...opts });
    return { app: express().use(d.router).use(errorHandler), readOnly: d.readOnly };
  };

  it('refuses without credentials (401 asking for basic auth) and with a wrong key (403)', async () => {
    const { app: a } = app({ ring: new ApiKeyRing(['k1']) });
    const none = await request(a).get('/admin/queues');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect((await request(a).get('/admin/queues/api/queues')).status).toBe(401);
    expect((await request(a).get('/admin/queues').set('X-API-Key', 'wrong')).status).toBe(403);
    expect((await request(a).get('/admin/queues').set('Authorization', basic('admin', 'wrong'))).status).toBe(401);
  });

  it('opens with the API key (header or bearer), or basic auth with the key as password', async () => {
    const { app: a } = app({ ring: new ApiKeyRing(['k1']) });
    const page = await request(a).get('/admin/queues').set('X-API-Key', 'k1');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<base href="/admin/queues/"');
    expect((await request(a).get('/admin/queues').set('Authorization', 'Bearer k1')).status).toBe(200);
    expect((await request(a).get('/admin/queues').set('Authorization', basic('anyone', 'k1'))).status).toBe(200);
    const api = await request(a).get('/admin/queues/api/queues').set('X-API-Key', 'k1');
    expect(api.status).toBe(200);
    const names = api.body.queues.map((q: { name: string }) => q.name).sort();
    expect(names).toEqual(['clip', 'lgbm']);
    expect(api.body.queues.find((q: { name: string }) => q.name === 'lgbm').counts.waiting).toBe(1);
  });

  it('opens with DASHBOARD_USER / DASHBOARD_PASSWORD', async () => {
    const { app: a } = app({ basic: { user: 'ops', password: 's3cret' } });
    expect((await request(a).get('/admin/queues')).status).toBe(401);
    expect((await request(a).get('/admin/queues').set('Authorization', basic('ops', 'nope'))).status).toBe(401);
    expect((await request(a).get('/admin/queues').set('Authorization', basic('ops', 's3cret'))).status).toBe(200);
  });

  it('is read-only by default: actions are refused', async () => {
    const { app: a, readOnly } = app({ ring: new ApiKeyRing(['k1']) });
    expect(readOnly).toBe(true);
    const api = await request(a).get('/admin/queues/api/queues').set('X-API-Key', 'k1');
    expect(api.body.queues.every((q: { readOnlyMode: boolean }) => q.readOnlyMode)).toBe(true);
    const clean = await request(a).put('/admin/queues/api/queues/lgbm/pause').set('X-API-Key', 'k1');
    expect(clean.status).toBeGreaterThanOrEqual(400);
    expect(await queues[0].isPaused()).toBe(false);
  });

  it('is read-write only when asked and protected; an open dashboard is always read-only', async () => {
    const rw = app({ ring: new ApiKeyRing(['k1']), readOnly: false });
    expect(rw.readOnly).toBe(false);
    const pause = await request(rw.app).put('/admin/queues/api/queues/clip/pause').set('X-API-Key', 'k1');
    expect(pause.status).toBe(200);
    expect(await queues[1].isPaused()).toBe(true);
    await queues[1].resume();
    const open = app({ readOnly: false });
    expect(open.readOnly).toBe(true);
    expect((await request(open.app).get('/admin/queues')).status).toBe(200);
  });
});
