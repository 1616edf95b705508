import { BULL_PREFIX } from '@cataract/contracts';
import { Queue } from 'bullmq';
import express from 'express';
import request from 'supertest';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { dashboardRouter } from '../../src/http/dashboard';
import { errorHandler } from '../../src/http/middleware/error-handler';
import type { RefusalHandler } from '../../src/http/security/auth-failures';
import { Roles, type RoleOptions } from '../../src/http/security/roles';

const maybe = redisServerAvailable() ? describe : describe.skip;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const passRefusal: RefusalHandler = (_req, _res, next, refusal) => next(refusal);
const UPLOAD = 'cataract:upload:0b5e2f3a-1c1d-4a39-9d0e-8f1f2c3d4e5f';
const jobData = { uploadKey: UPLOAD, requestId: 'r', deadline: Date.now() + 60_000, replyTo: 'cataract:replies:gw' };

maybe('queue dashboard at /admin/queues (over a private redis-server)', () => {
  let server: RedisServer;
  let queues: Queue[];

  beforeAll(async () => {
    server = await startRedis();
    queues = ['lgbm', 'clip'].map((name) => new Queue(name, { connection: { url: server.url }, prefix: BULL_PREFIX }));
    await queues[0].add('predict', jobData);
  });
  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
    await server?.stop();
  });

  const app = (roles: Partial<RoleOptions>, readOnly = true) => {
    const d = dashboardRouter({ queues, roles: new Roles({ apiKeys: [], adminKeys: [], ...roles }), refuse: passRefusal, readOnly });
    return { app: express().use(d.router).use(errorHandler), readOnly: d.readOnly };
  };

  it('refuses without credentials (401 asking for basic auth) and with a wrong key (403)', async () => {
    const { app: a } = app({ adminKeys: ['a1'] });
    const none = await request(a).get('/admin/queues');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect((await request(a).get('/admin/queues/api/queues')).status).toBe(401);
    expect((await request(a).get('/admin/queues').set('X-API-Key', 'wrong')).status).toBe(403);
    expect((await request(a).get('/admin/queues').set('Authorization', basic('admin', 'wrong'))).status).toBe(401);
  });

  it('never opens to a client key, in any header: the jobs of every client and the Redis stats stay closed', async () => {
    const { app: a } = app({ apiKeys: ['c1'], adminKeys: ['a1'], basic: { user: 'ops', password: 's3cret' } });
    for (const path of ['/admin/queues', '/admin/queues/api/queues?activeQueue=lgbm&status=completed', '/admin/queues/api/redis/stats']) {
      for (const auth of [{ 'X-API-Key': 'c1' }, { Authorization: 'Bearer c1' }, { Authorization: basic('anyname', 'c1') }, { Authorization: basic('ops', 'c1') }]) {
        const r = await request(a).get(path).set(auth);
        expect(r.status).toBe(403);
        expect(r.body.error.code).toBe('forbidden');
        expect(JSON.stringify(r.body)).not.toContain(UPLOAD);
      }
    }
    // with client keys only, nobody is an operator: closed to all, and it says how to open it
    const clientsOnly = app({ apiKeys: ['c1'] });
    const r = await request(clientsOnly.app).get('/admin/queues/api/queues').set('X-API-Key', 'c1');
    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(/ADMIN_KEYS/);
    expect((await request(clientsOnly.app).get('/admin/queues')).status).toBe(403);
  });

  it('opens with an admin key (header or bearer), or basic auth with the admin key as password', async () => {
    const { app: a } = app({ apiKeys: ['c1'], adminKeys: ['a1'] });
    const page = await request(a).get('/admin/queues').set('X-API-Key', 'a1');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<base href="/admin/queues/"');
    expect((await request(a).get('/admin/queues').set('Authorization', 'Bearer a1')).status).toBe(200);
    expect((await request(a).get('/admin/queues').set('Authorization', basic('anyone', 'a1'))).status).toBe(200);
    const api = await request(a).get('/admin/queues/api/queues').set('X-API-Key', 'a1');
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
    const { app: a, readOnly } = app({ adminKeys: ['a1'] });
    expect(readOnly).toBe(true);
    const api = await request(a).get('/admin/queues/api/queues').set('X-API-Key', 'a1');
    expect(api.body.queues.every((q: { readOnlyMode: boolean }) => q.readOnlyMode)).toBe(true);
    const clean = await request(a).put('/admin/queues/api/queues/lgbm/pause').set('X-API-Key', 'a1');
    expect(clean.status).toBeGreaterThanOrEqual(400);
    expect(await queues[0].isPaused()).toBe(false);
  });

  it('is read-write only when asked and an operator credential exists; an open dashboard is always read-only', async () => {
    const rw = app({ adminKeys: ['a1'] }, false);
    expect(rw.readOnly).toBe(false);
    const pause = await request(rw.app).put('/admin/queues/api/queues/clip/pause').set('X-API-Key', 'a1');
    expect(pause.status).toBe(200);
    expect(await queues[1].isPaused()).toBe(true);
    await queues[1].resume();
    const open = app({}, false);
    expect(open.readOnly).toBe(true);
    expect((await request(open.app).get('/admin/queues')).status).toBe(200);
    expect(app({ apiKeys: ['c1'] }, false).readOnly).toBe(true); // client keys alone: no operator, no writes
  });

  describe('a read-write dashboard', () => {
    const rw = () => app({ adminKeys: ['a1'], basic: { user: 'ops', password: 's3cret' } }, false).app;
    const addPath = '/admin/queues/api/queues/lgbm/add';
    const waiting = () => queues[0].getWaitingCount();

    it('refuses a cross-site text/plain or form POST carrying cached basic credentials, and adds nothing', async () => {
      const before = await waiting();
      const body = JSON.stringify({ name: 'x', data: { ...jobData, uploadKey: 'bull:lgbm:meta', releaseUpload: true } });
      const plain = await request(rw())
        .post(addPath)
        .set('Authorization', basic('ops', 's3cret'))
        .set('Origin', 'https://evil.example')
        .set('Content-Type', 'text/plain')
        .send(body);
      expect(plain.status).toBe(403);
      expect(plain.body.error.code).toBe('cross_site_request');
      const form = await request(rw())
        .post(addPath)
        .set('Authorization', basic('ops', 's3cret'))
        .set('Referer', 'https://evil.example/page')
        .type('form')
        .send({ name: 'x' });
      expect(form.status).toBe(403);
      // same host, but a body a foreign page could send without a preflight
      const sameHostPlain = await request(rw()).post(addPath).set('Authorization', basic('ops', 's3cret')).set('Content-Type', 'text/plain').send(body);
      expect(sameHostPlain.status).toBe(403);
      // a JSON body from another origin (the browser would need a preflight the gateway never grants)
      const crossJson = await request(rw()).post(addPath).set('Authorization', basic('ops', 's3cret')).set('Origin', 'https://evil.example').send({ name: 'x', data: jobData });
      expect(crossJson.status).toBe(403);
      expect(await waiting()).toBe(before);
    });

    it('refuses job data that is not a prediction job (an arbitrary Redis key as upload key), added or edited', async () => {
      const before = await waiting();
      for (const data of [{ ...jobData, uploadKey: 'bull:lgbm:meta', releaseUpload: true }, { ...jobData, uploadKey: 'cataract:ratelimit:x' }, { uploadKey: UPLOAD }, 'text']) {
        const r = await request(rw()).post(addPath).set('X-API-Key', 'a1').send({ name: 'predict', data });
        expect(r.status).toBe(400);
        expect(r.body.error.code).toBe('invalid_job');
      }
      expect(await waiting()).toBe(before);
      const job = (await queues[0].getWaiting())[0];
      const edit = await request(rw())
        .patch(`/admin/queues/api/queues/lgbm/${job.id}/update-data`)
        .set('X-API-Key', 'a1')
        .send({ jobData: { ...jobData, uploadKey: 'bull:lgbm:meta' } });
      expect(edit.status).toBe(400);
      expect((await queues[0].getJob(String(job.id)))?.data.uploadKey).toBe(UPLOAD);
    });

    it('takes a same-origin JSON request with a valid prediction job from its own page', async () => {
      const before = await waiting();
      const r = await request(rw())
        .post(addPath)
        .set('Authorization', basic('ops', 's3cret'))
        .set('Host', 'gateway.example:8001')
        .set('Origin', 'http://gateway.example:8001')
        .send({ name: 'predict', data: jobData });
      expect(r.status).toBe(200);
      expect(await waiting()).toBe(before + 1);
    });
  });
});
