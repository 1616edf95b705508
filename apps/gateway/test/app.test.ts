import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HealthResponseSchema, PredictionResponseSchema } from '@cataract/contracts';
import request from 'supertest';
import { syntheticEye } from '@cataract/test-support/photos';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { okResult, ScriptedActor, startScriptedActor } from '@cataract/test-support/scripted-actor';
import { GatewayConfig } from '../src/config';
import { createGatewayServices, GatewayServices } from '../src/process/worker-services';
import { servicesReady, silentLogger, testConfig } from './helpers';

const maybe = redisServerAvailable() ? describe : describe.skip;

maybe('gateway app over a private redis-server', () => {
  let server: RedisServer;
  let config: GatewayConfig;
  let svc: GatewayServices;
  let actor: ScriptedActor | undefined;
  let jpeg: Buffer;

  beforeAll(async () => {
    server = await startRedis();
    config = testConfig({ REDIS_URL: server.url, REQUEST_TIMEOUT_MS: '3000' });
    svc = createGatewayServices(config, silentLogger, { registryCacheMs: 0 });
    await servicesReady(svc);
    jpeg = await syntheticEye({ label: 'cataract', seed: 9 });
  });
  afterAll(async () => {
    await actor?.close();
    await svc.close();
    await server.stop();
  });
  afterEach(async () => {
    await actor?.close();
    actor = undefined;
  });

  describe('GET /', () => {
    it('answers API information as JSON by default and for Accept: application/json', async () => {
      for (const accept of [undefined, 'application/json', '*/*']) {
        const req = request(svc.app).get('/');
        const r = await (accept ? req.set('Accept', accept) : req);
        expect(r.status).toBe(200);
        expect(r.type).toBe('application/json');
        expect(r.body).toMatchObject({ name: 'cataract-cluster', version: expect.any(String) });
        expect(r.body.endpoints).toEqual(expect.arrayContaining([expect.objectContaining({ method: 'POST', path: '/predict_lgbm' })]));
        expect(r.body.models.lgbm).toMatchObject({ served: true });
      }
    });

    it('reports model versions from live actors', async () => {
      actor = await startScriptedActor({ redisUrl: server.url, version: 'lgbm-test-42' });
      const r = await request(svc.app).get('/');
      expect(r.body.models.lgbm).toMatchObject({ actors: 1, actor_versions: ['lgbm-test-42'] });
    });

    it('sends the web page to browsers once it is built, and serves it under /ui/', async () => {
      const before = await request(svc.app).get('/').set('Accept', 'text/html');
      expect(before.type).toBe('application/json'); // not built yet
      mkdirSync(config.webDistDir, { recursive: true });
      writeFileSync(join(config.webDistDir, 'index.html'), '<!doctype html><title>eye</title><input type=file>');
      const page = await request(svc.app).get('/').set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
      expect(page.status).toBe(200);
      expect(page.type).toBe('text/html');
      expect(page.text).toContain('<input type=file>');
      const ui = await request(svc.app).get('/ui/');
      expect(ui.status).toBe(200);
      expect(ui.text).toContain('<title>eye</title>');
      const json = await request(svc.app).get('/').set('Accept', 'application/json');
      expect(json.type).toBe('application/json');
      expect((await request(svc.app).get('/ui/missing.js')).status).toBe(404);
    });
  });

  describe('GET /health', () => {
    it('is 200 ok with the live actors when every served type has one', async () => {
      actor = await startScriptedActor({ redisUrl: server.url, id: 'hb-1', version: 'v-7' });
      const r = await request(svc.app).get('/health');
      expect(r.status).toBe(200);
      const body = HealthResponseSchema.parse(r.body);
      expect(body).toMatchObject({ status: 'ok', redis: 'connected', actors_available: 1 });
      expect(body.actors.lgbm).toEqual([{ id: 'hb-1', pid: process.pid, host: expect.any(String), model_version: 'v-7', last_seen: expect.any(String) }]);
      expect(body.actors.clip).toEqual([]);
    });

    it('is 503 degraded when a served type has no live actor', async () => {
      const r = await request(svc.app).get('/health');
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ status: 'degraded', redis: 'connected', actors_available: 0 });
    });
  });

  describe('POST /predict_lgbm', () => {
    it('answers the prediction in the original API’s shape and deletes the upload', async () => {
      actor = await startScriptedActor({ redisUrl: server.url, id: 'pred-1', handle: () => okResult('pred-1', 0.8, 'v-9') });
      const r = await request(svc.app).post('/predict_lgbm').attach('file', jpeg, 'eye.jpg');
      expect(r.status).toBe(200);
      const body = PredictionResponseSchema.parse(r.body);
      expect(body).toMatchObject({
        prediction: 'cataract',
        confidence: 0.8,
        probabilities: { cataract: 0.8, normal: expect.closeTo(0.2, 10) },
        model_used: 'lgbm',
        model_version: 'v-9',
        actor_id: 'pred-1',
      });
      expect(body.request_id).toBe(r.headers['x-request-id']);
      expect(body.processing_time).toBeGreaterThan(0);
      expect(await svc.redis.keys('cataract:upload:*')).toEqual([]);
    });

    it('503 no_actor with Retry-After when no actor is alive, and deletes the upload', async () => {
      const r = await request(svc.app).post('/predict_lgbm').attach('image', jpeg, 'eye.jpg');
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('no_actor');
      expect(r.headers['retry-after']).toBeDefined();
      expect(await svc.redis.keys('cataract:upload:*')).toEqual([]);
    });

    it('415 from the actor for an image that fails to decode there', async () => {
      actor = await startScriptedActor({
        redisUrl: server.url,
        handle: () => ({ status: 'rejected', error: { code: 'undecodable_image', message: 'truncated' }, actor_id: 'x' }),
      });
      const r = await request(svc.app).post('/predict_lgbm').attach('file', jpeg, 'eye.jpg');
      expect(r.status).toBe(415);
      expect(r.body).toMatchObject({ error: { code: 'undecodable_image', message: 'truncated' }, request_id: expect.any(String) });
    });

    it('502 inference_failed when the actor fails the job for good', async () => {
      actor = await startScriptedActor({
        redisUrl: server.url,
        handle: () => {
          throw new Error('runtime crashed');
        },
      });
      const r = await request(svc.app).post('/predict_lgbm').attach('file', jpeg, 'eye.jpg');
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('inference_failed');
    });

    it('rejects bad uploads before touching Redis', async () => {
      const r = await request(svc.app).post('/predict_lgbm').attach('file', Buffer.from('hello'), 'x.jpg');
      expect(r.status).toBe(415);
      expect(await svc.queues.get('lgbm').getJobCounts('waiting', 'completed', 'failed')).toMatchObject({ waiting: 0 });
    });
  });
});
