import { DriftStatus, DriftStatusSchema, DriftSummarySchema, ErrorResponseSchema } from '@cataract/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { syntheticEye } from '@cataract/test-support/photos';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { okResult, ScriptedActor, startScriptedActor } from '@cataract/test-support/scripted-actor';
import { createGatewayServices, GatewayServices } from '../src/process/worker-services';
import { servicesReady, silentLogger, testConfig } from './helpers';

const maybe = redisServerAvailable() ? describe : describe.skip;
const INPUT = { long_side: 512, brightness: 128, colourfulness: 40, sharpness: 500 };

maybe('GET /drift_status over a private redis-server (scripted actors)', () => {
  let server: RedisServer;
  const services: GatewayServices[] = [];
  const actors: ScriptedActor[] = [];
  let jpeg: Buffer;

  const gateway = async (env: Record<string, string> = {}) => {
    const svc = createGatewayServices(testConfig({ REDIS_URL: server.url, SERVED_MODELS: 'lgbm,clip', ENSEMBLE_WEIGHTS: 'lgbm=0.5,clip=0.5', ...env }), silentLogger, { registryCacheMs: 0 });
    services.push(svc);
    await servicesReady(svc);
    return svc;
  };
  /** The report once `ready` holds (the monitor reuses a report for 2 s). */
  const reportWhen = async (svc: GatewayServices, ready: (r: DriftStatus) => boolean): Promise<DriftStatus> => {
    let last: DriftStatus | undefined;
    for (let i = 0; i < 40; i++) {
      const r = await request(svc.app).get('/drift_status');
      expect(r.status).toBe(200);
      last = DriftStatusSchema.parse(r.body);
      if (ready(last)) return last;
      await new Promise((res) => setTimeout(res, 150));
    }
    throw new Error(`drift report never got there: ${JSON.stringify(last)}`);
  };

  beforeAll(async () => {
    server = await startRedis();
    jpeg = await syntheticEye({ label: 'cataract', seed: 5 });
    for (const [model, p] of [['lgbm', 0.3], ['clip', 0.8]] as const) {
      const id = `${model}-drift`;
      actors.push(await startScriptedActor({ redisUrl: server.url, model, id, version: `${model}-v9`, handle: () => ({ ...okResult(id, p, `${model}-v9`), input_stats: INPUT }) }));
    }
  });
  afterAll(async () => {
    await Promise.all(actors.map((a) => a.close()));
    await Promise.all(services.map((s) => s.close()));
    await server.stop();
  });

  it('answers move the counts: per model version, the positive rate, the input statistics, ensemble disagreement', async () => {
    const svc = await gateway();
    const before = await reportWhen(svc, () => true);
    expect(before).toMatchObject({ status: 'ok', monitoring: true, ensemble: { answers: 0 } });
    for (const path of ['/predict_lgbm', '/predict_lgbm', '/predict_clip', '/predict_ensemble']) {
      expect((await request(svc.app).post(path).attach('file', jpeg, 'eye.jpg')).status).toBe(200);
    }
    // a batch's photos are answers too, each ensemble photo a comparison
    expect((await request(svc.app).post('/predict_batch?model=ensemble').attach('images', jpeg, 'a.jpg').attach('images', jpeg, 'b.jpg')).status).toBe(200);
    const r = await reportWhen(svc, (x) => x.ensemble.answers === 3 && (x.models.lgbm?.versions.find((v) => v.version === 'lgbm-v9')?.answers ?? 0) >= 5);
    const lgbm = r.models.lgbm!.versions.find((v) => v.version === 'lgbm-v9')!;
    const clip = r.models.clip!.versions.find((v) => v.version === 'clip-v9')!;
    expect(lgbm).toMatchObject({ answers: 5, positive_rate: 0, serving: false, input: { samples: 5, mean: INPUT } });
    expect(clip).toMatchObject({ answers: 4, positive_rate: 1 });
    // the temp store holds no model: nothing serves, so there is no reference either, and it says so
    expect(lgbm.input.reference).toMatchObject({ available: false, reason: expect.stringContaining("not in this gateway's model store") });
    expect(lgbm.input.psi.brightness).toBeNull();
    expect(r.ensemble).toEqual({ answers: 3, disagreements: 3, disagreement_rate: 1, check: 'insufficient' });
    expect(r.status).toBe('ok');
  });

  it('?model= narrows the models section; any other parameter or value is a 400 with the usual error body', async () => {
    const svc = await gateway();
    const one = await request(svc.app).get('/drift_status?model=clip');
    expect(one.status).toBe(200);
    expect(Object.keys(one.body.models)).toEqual(['clip']);
    for (const q of ['model=glaucoma', 'window=5', 'model=lgbm&model=clip', 'model=']) {
      const r = await request(svc.app).get(`/drift_status?${q}`);
      expect(r.status).toBe(400);
      expect(ErrorResponseSchema.parse(r.body).error.code).toBe('bad_request');
      expect(r.body.error.message).toMatch(/model=lgbm\|clip/);
    }
  });

  it('with credentials configured: anyone gets the verdict only, an operator the figures, a wrong key 403', async () => {
    const svc = await gateway({ API_KEYS: 'client-key', ADMIN_KEYS: 'admin-key' });
    const anonymous = await request(svc.app).get('/drift_status');
    expect(anonymous.status).toBe(200);
    expect(Object.keys(DriftSummarySchema.strict().parse(anonymous.body)).sort()).toEqual(['generated_at', 'monitoring', 'status']);
    const client = await request(svc.app).get('/drift_status').set('X-API-Key', 'client-key');
    expect(client.body.models).toBeUndefined();
    const admin = await request(svc.app).get('/drift_status').set('X-API-Key', 'admin-key');
    expect(DriftStatusSchema.parse(admin.body).models.lgbm).toBeDefined();
    expect((await request(svc.app).get('/drift_status').set('X-API-Key', 'nope')).status).toBe(403);
  });

  it('the same figures are Prometheus gauges on /metrics', async () => {
    const svc = await gateway();
    await request(svc.app).post('/predict_lgbm').attach('file', jpeg, 'eye.jpg');
    await reportWhen(svc, (x) => (x.models.lgbm?.versions[0]?.answers ?? 0) > 0);
    const text = (await request(svc.app).get('/metrics')).text;
    expect(text).toMatch(/^cataract_drift_status 0$/m);
    expect(text).toMatch(/^cataract_drift_answers\{model="lgbm",version="lgbm-v9",serving="false"\} [1-9]\d*$/m);
    expect(text).toMatch(/^cataract_drift_positive_rate\{model="clip",version="clip-v9",serving="false"\} 1$/m);
    expect(text).toMatch(/^cataract_drift_ensemble_answers [1-9]\d*$/m);
  });

  it('a review through POST /feedback counts toward each answering version\'s accuracy; a replaced one moves, not adds', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'drift-feedback-'));
    try {
      const svc = await gateway({ SAVE_UPLOADS: 'true', CUSTOMER_DATA_DIR: dataDir });
      const answered = await request(svc.app).post('/predict_ensemble').attach('file', jpeg, 'eye.jpg');
      expect(answered.status).toBe(200);
      const reviews = (r: DriftStatus, model: 'lgbm' | 'clip') => r.models[model]?.versions.find((v) => v.version === `${model}-v9`)?.reviews;
      // lgbm answered normal (0.3), clip cataract (0.8)
      expect((await request(svc.app).post('/feedback').send({ request_id: answered.body.request_id, label: 'cataract' })).status).toBe(200);
      const first = await reportWhen(svc, (x) => (reviews(x, 'clip')?.count ?? 0) > 0);
      expect(reviews(first, 'clip')).toEqual({ count: 1, correct: 1, accuracy: 1 });
      expect(reviews(first, 'lgbm')).toEqual({ count: 1, correct: 0, accuracy: 0 });
      expect((await request(svc.app).post('/feedback').send({ request_id: answered.body.request_id, label: 'normal', replace: true })).status).toBe(200);
      const second = await reportWhen(svc, (x) => reviews(x, 'lgbm')?.correct === 1);
      expect(reviews(second, 'lgbm')).toEqual({ count: 1, correct: 1, accuracy: 1 });
      expect(reviews(second, 'clip')).toEqual({ count: 1, correct: 0, accuracy: 0 });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('DRIFT_MONITORING=false: answers are not recorded and the report says monitoring is off', async () => {
    const svc = await gateway({ DRIFT_MONITORING: 'false' });
    const before = await reportWhen(svc, () => true);
    const count = (r: DriftStatus) => r.models.lgbm?.versions.find((v) => v.version === 'lgbm-v9')?.answers ?? 0;
    expect(before.monitoring).toBe(false);
    await request(svc.app).post('/predict_lgbm').attach('file', jpeg, 'eye.jpg');
    await new Promise((res) => setTimeout(res, 2100)); // past the report cache
    expect(count(await reportWhen(svc, () => true))).toBe(count(before));
  });
});
