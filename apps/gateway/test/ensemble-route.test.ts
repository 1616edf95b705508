import { EnsembleResponseSchema, PredictionResponseSchema } from '@cataract/contracts';
import request from 'supertest';
import { syntheticEye } from '@cataract/test-support/photos';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { okResult, ScriptedActor, startScriptedActor } from '@cataract/test-support/scripted-actor';
import { createGatewayServices, GatewayServices } from '../src/process/worker-services';
import { servicesReady, silentLogger, testConfig } from './helpers';

const maybe = redisServerAvailable() ? describe : describe.skip;

maybe('POST /predict_ensemble and /predict_clip over a private redis-server (scripted actors)', () => {
  let server: RedisServer;
  let svc: GatewayServices;
  let jpeg: Buffer;
  let actors: ScriptedActor[] = [];
  /** uploadKey of every job each model received */
  let seen: Record<'lgbm' | 'clip', string[]>;

  const start = async (model: 'lgbm' | 'clip', p: number | 'reject') => {
    const id = `${model}-scripted`;
    const a = await startScriptedActor({
      redisUrl: server.url,
      model,
      id,
      version: `${model}-v3`,
      handle: (data) => {
        seen[model].push(data.uploadKey);
        if (p === 'reject') return { status: 'rejected', error: { code: 'undecodable_image', message: `${model} could not decode it` }, actor_id: id };
        return okResult(id, p, `${model}-v3`);
      },
    });
    actors.push(a);
  };

  beforeAll(async () => {
    server = await startRedis();
    svc = createGatewayServices(
      testConfig({ REDIS_URL: server.url, REQUEST_TIMEOUT_MS: '4000', SERVED_MODELS: 'lgbm,clip', ENSEMBLE_WEIGHTS: 'lgbm=0.4,clip=0.6', CASCADE_BAND: '0.25-0.75' }),
      silentLogger,
      { registryCacheMs: 0 },
    );
    await servicesReady(svc);
    jpeg = await syntheticEye({ label: 'cataract', seed: 4 });
  });
  afterAll(async () => {
    await Promise.all(actors.map((a) => a.close()));
    await svc.close();
    await server.stop();
  });
  beforeEach(() => {
    seen = { lgbm: [], clip: [] };
  });
  afterEach(async () => {
    await Promise.all(actors.map((a) => a.close()));
    actors = [];
  });

  it('asks both models about ONE stored upload, combines them by weight, then deletes the upload', async () => {
    await start('lgbm', 0.3);
    await start('clip', 0.8);
    const r = await request(svc.app).post('/predict_ensemble').attach('file', jpeg, 'eye.jpg');
    expect(r.status).toBe(200);
    const body = EnsembleResponseSchema.parse(r.body);
    expect(body.probabilities.cataract).toBeCloseTo(0.4 * 0.3 + 0.6 * 0.8, 12);
    expect(body).toMatchObject({
      prediction: 'cataract',
      model_used: 'ensemble',
      model_version: 'lgbm:lgbm-v3+clip:clip-v3',
      actor_id: 'lgbm:lgbm-scripted+clip:clip-scripted',
      strategy: 'weighted',
      degraded: false,
      weights: { lgbm: 0.4, clip: 0.6 },
      request_id: r.headers['x-request-id'],
    });
    expect(seen.lgbm).toHaveLength(1);
    expect(seen.clip).toEqual(seen.lgbm); // the same key: stored once
    expect(await svc.redis.keys('cataract:upload:*')).toEqual([]);
  });

  it('cascade: a confident lgbm answers alone; an unsure one brings in clip', async () => {
    await start('lgbm', 0.1);
    await start('clip', 0.9);
    const sure = await request(svc.app).post('/predict_ensemble?strategy=cascade').attach('file', jpeg, 'eye.jpg');
    expect(sure.status).toBe(200);
    expect(EnsembleResponseSchema.parse(sure.body)).toMatchObject({ strategy: 'cascade', probabilities: { cataract: 0.1 }, cascade: { band: [0.25, 0.75], lgbm_p: 0.1, clip_called: false } });
    expect(seen.clip).toEqual([]);
    await Promise.all(actors.map((a) => a.close()));
    actors = [];
    await start('lgbm', 0.5);
    await start('clip', 0.9);
    const unsure = await request(svc.app).post('/predict_ensemble?strategy=cascade').attach('file', jpeg, 'eye.jpg');
    expect(unsure.body).toMatchObject({ cascade: { lgbm_p: 0.5, clip_called: true }, probabilities: { cataract: expect.closeTo(0.4 * 0.5 + 0.6 * 0.9, 12) } });
    expect(seen.clip).toHaveLength(1);
  });

  it('no clip actor: answers degraded from lgbm instead of failing', async () => {
    await start('lgbm', 0.3);
    const r = await request(svc.app).post('/predict_ensemble').attach('file', jpeg, 'eye.jpg');
    expect(r.status).toBe(200);
    expect(EnsembleResponseSchema.parse(r.body)).toMatchObject({
      degraded: true,
      prediction: 'normal',
      probabilities: { cataract: 0.3 },
      model_version: 'lgbm:lgbm-v3',
      models: { clip: { error: { code: 'no_actor' } } },
    });
  });

  it('no actor at all: 503 with Retry-After', async () => {
    const r = await request(svc.app).post('/predict_ensemble').attach('file', jpeg, 'eye.jpg');
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('no_actor');
    expect(r.headers['retry-after']).toBeDefined();
  });

  it('415 when either model refuses the image', async () => {
    await start('lgbm', 0.3);
    await start('clip', 'reject');
    const r = await request(svc.app).post('/predict_ensemble').attach('file', jpeg, 'eye.jpg');
    expect(r.status).toBe(415);
    expect(r.body).toMatchObject({ error: { code: 'undecodable_image', message: 'clip could not decode it' } });
  });

  it('400 for an unknown strategy, before any upload is stored', async () => {
    await start('lgbm', 0.3);
    const r = await request(svc.app).post('/predict_ensemble?strategy=vote').attach('file', jpeg, 'eye.jpg');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/vote/) });
    expect(seen.lgbm).toEqual([]);
  });

  it('POST /predict_clip is routed to the clip queue and answers model_used "clip"', async () => {
    await start('clip', 0.7);
    const r = await request(svc.app).post('/predict_clip').attach('file', jpeg, 'eye.jpg');
    expect(r.status).toBe(200);
    expect(PredictionResponseSchema.parse(r.body)).toMatchObject({ model_used: 'clip', model_version: 'clip-v3', probabilities: { cataract: 0.7 } });
    expect(seen.clip).toHaveLength(1);
  });

  it('GET / lists /predict_clip and /predict_ensemble', async () => {
    const r = await request(svc.app).get('/');
    expect(r.body.endpoints.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['/predict_clip', '/predict_ensemble']));
  });
});
