import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchResponseSchema, EnsembleResponseSchema, PredictionResponseSchema } from '@cataract/contracts';
import { renderSampleEyePhotos } from '@cataract/imaging';
import request from 'supertest';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { okResult, ScriptedActor, startScriptedActor } from '@cataract/test-support/scripted-actor';
import { keyId } from '../src/http/security/api-keys';
import { createGatewayServices, GatewayServices } from '../src/process/worker-services';
import { servicesReady, silentLogger, testConfig } from './helpers';

const maybe = redisServerAvailable() ? describe : describe.skip;
const KEY = 'batch-client-key';

maybe('POST /predict_batch over a private redis-server', () => {
  let server: RedisServer;
  let dataDir: string;
  let svc: GatewayServices;
  let actors: ScriptedActor[] = [];
  let eyes: Buffer[];
  const junk = Buffer.from('this is no image at all, only some text that claims to be a jpeg');

  const post = (query = '', app = svc.app) => request(app).post(`/predict_batch${query}`).set('X-API-Key', KEY);
  const withPhotos = (req: request.Test, photos: Buffer[], field = 'images') => {
    photos.forEach((p, i) => req.attach(field, p, `eye-${i}.jpg`));
    return req;
  };
  const uploadsLeft = () => svc.redis.keys('cataract:upload:*');

  beforeAll(async () => {
    server = await startRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'batch-data-'));
    svc = createGatewayServices(
      testConfig({
        REDIS_URL: server.url,
        REQUEST_TIMEOUT_MS: '3000',
        SERVED_MODELS: 'lgbm,clip',
        API_KEYS: KEY,
        SAVE_UPLOADS: 'true',
        CUSTOMER_DATA_DIR: dataDir,
        MAX_BATCH_FILES: '4',
        MAX_BATCH_MB: '1',
        MAX_UPLOAD_MB: '0.5',
        RATE_LIMIT_PER_MINUTE: '40',
        ENSEMBLE_WEIGHTS: 'lgbm=0.5,clip=0.5',
      }),
      silentLogger,
      { registryCacheMs: 0 },
    );
    await servicesReady(svc);
    actors = [
      await startScriptedActor({ redisUrl: server.url, model: 'lgbm', id: 'lgbm-1', handle: () => okResult('lgbm-1', 0.9, 'lgbm-b1') }),
      await startScriptedActor({ redisUrl: server.url, model: 'clip', id: 'clip-1', handle: () => okResult('clip-1', 0.3, 'clip-b1') }),
    ];
    eyes = await renderSampleEyePhotos();
  });
  afterAll(async () => {
    await Promise.all(actors.map((a) => a.close()));
    await svc?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => svc.redis.flushdb().then(() => undefined)); // a fresh rate-limit window per test (actors re-beat within 1 s)

  const waitActors = async () => {
    for (const a of actors) await a.heartbeatNow();
  };

  it('answers each photo in order; a junk file among good photos gets its own 415 and does not fail the others', async () => {
    await waitActors();
    const r = await withPhotos(post('?model=lgbm'), [eyes[0], junk, eyes[1]]);
    expect(r.status).toBe(200);
    const body = BatchResponseSchema.parse(r.body);
    expect(body.request_id).toBe(r.headers['x-request-id']);
    expect(body.model_used).toBe('lgbm');
    expect(body.results).toHaveLength(3);
    expect(PredictionResponseSchema.parse(body.results[0])).toMatchObject({ prediction: 'cataract', model_used: 'lgbm', request_id: `${body.request_id}:0` });
    expect(body.results[1]).toEqual({ error: { code: 'unsupported_format', message: expect.any(String) }, status: 415, request_id: `${body.request_id}:1` });
    expect(PredictionResponseSchema.parse(body.results[2]).request_id).toBe(`${body.request_id}:2`);
    expect(body.summary).toEqual({ total: 3, ok: 2, failed: 1, counts: { cataract: 2, normal: 0 }, mean_confidence: 0.9 });
    expect(await uploadsLeft()).toEqual([]);
  });

  it('keeps each answered photo as its own record under its own request id (not the junk one)', async () => {
    await waitActors();
    const before = new Set(readdirSync(dataDir, { recursive: true }).map(String));
    const r = await withPhotos(post('?model=clip'), [eyes[2], junk]);
    expect(r.status).toBe(200);
    const added = readdirSync(dataDir, { recursive: true }).map(String).filter((f) => !before.has(f) && f.endsWith('.json'));
    expect(added).toHaveLength(1);
    const sidecar = JSON.parse(readFileSync(join(dataDir, added[0]), 'utf8'));
    expect(sidecar).toMatchObject({ request_id: `${r.body.request_id}:0`, endpoint: '/predict_batch', answer: { prediction: 'normal', model_used: 'clip' } });
    const fb = await request(svc.app).post('/feedback').set('X-API-Key', KEY).send({ request_id: `${r.body.request_id}:0`, label: 'cataract' });
    expect(fb.status).toBe(200);
    const junkFb = await request(svc.app).post('/feedback').set('X-API-Key', KEY).send({ request_id: `${r.body.request_id}:1`, label: 'cataract' });
    expect(junkFb.status).toBe(404);
  });

  it('defaults to the ensemble (both members per photo), and ?strategy= applies to it', async () => {
    await waitActors();
    const r = await withPhotos(post(), [eyes[0], eyes[3]]);
    expect(r.status).toBe(200);
    expect(r.body.model_used).toBe('ensemble');
    for (const item of r.body.results) {
      const e = EnsembleResponseSchema.parse(item);
      expect(e.models.lgbm).toMatchObject({ model_version: 'lgbm-b1' });
      expect(e.models.clip).toMatchObject({ model_version: 'clip-b1' });
      expect(e.probabilities.cataract).toBeCloseTo(0.6, 1);
    }
    expect((await withPhotos(post('?strategy=sideways'), [eyes[0]])).body.error.code).toBe('bad_request');
  });

  it('400 for an unknown model, too many photos, the wrong field, no photo at all: before any job', async () => {
    await waitActors();
    const cases: Array<[request.Test, number, string]> = [
      [withPhotos(post('?model=xgboost'), [eyes[0]]), 400, 'bad_request'],
      [withPhotos(post('?model=lgbm'), [eyes[0], eyes[1], eyes[2], eyes[3], eyes[0]]), 400, 'too_many_files'],
      [withPhotos(post('?model=lgbm'), [eyes[0]], 'file'), 400, 'unexpected_field'],
      [withPhotos(post('?model=lgbm'), [eyes[0], eyes[1]], 'photos'), 400, 'unexpected_field'],
      [post('?model=lgbm').field('note', 'no photos here'), 400, 'no_file'],
      [post('?model=lgbm').send({ images: ['not multipart'] }), 400, 'no_file'],
    ];
    for (const [req, status, code] of cases) {
      const r = await req;
      expect({ status: r.status, code: r.body.error?.code }).toEqual({ status, code });
      expect(r.body.request_id).toEqual(expect.any(String));
    }
    const jobsBefore = actors[0].jobs.length;
    await withPhotos(post('?model=lgbm'), [eyes[0], eyes[1], eyes[2], eyes[3], eyes[0]]);
    expect(actors[0].jobs.length).toBe(jobsBefore);
  });

  it('413 for a photo over MAX_UPLOAD_MB, and for a batch over MAX_BATCH_MB by its Content-Length or while it streams (chunked)', async () => {
    const big = Buffer.concat([eyes[0], Buffer.alloc(600 * 1024)]);
    const one = await withPhotos(post('?model=lgbm'), [big]);
    expect({ status: one.status, code: one.body.error.code }).toEqual({ status: 413, code: 'file_too_large' });
    const nearly = Buffer.concat([eyes[0], Buffer.alloc(400 * 1024)]);
    const declared = await withPhotos(post('?model=lgbm'), [nearly, nearly, nearly]);
    expect({ status: declared.status, code: declared.body.error.code }).toEqual({ status: 413, code: 'batch_too_large' });

    // A chunked body has no Content-Length: counted as it arrives.
    const listening: Server = svc.app.listen(0, '127.0.0.1');
    await once(listening, 'listening');
    try {
      const port = (listening.address() as { port: number }).port;
      const boundary = 'XbatchX';
      const part = (b: Buffer, i: number) => Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="images"; filename="e${i}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`), b, Buffer.from('\r\n')]);
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/predict_batch?model=lgbm', headers: { 'X-API-Key': KEY, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Transfer-Encoding': 'chunked' } }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        let i = 0;
        const pump = () => {
          if (i >= 4 || req.destroyed) return req.end();
          req.write(part(nearly, i++), () => setImmediate(pump));
        };
        pump();
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).error.code).toBe('batch_too_large');
    } finally {
      listening.closeAllConnections();
      listening.close();
    }
    expect(await uploadsLeft()).toEqual([]);
  });

  it('counts each photo against RATE_LIMIT_PER_MINUTE: a batch that would pass it is refused whole and costs one', async () => {
    await waitActors();
    const four = [eyes[0], eyes[1], eyes[2], eyes[3]];
    for (let i = 0; i < 9; i++) expect((await withPhotos(post('?model=lgbm'), four)).status).toBe(200); // 36 of 40
    const last = await withPhotos(post('?model=lgbm'), four); // 37 + 3 more = 40: allowed
    expect(last.status).toBe(200);
    const over = await withPhotos(post('?model=lgbm'), [eyes[0], eyes[1]]);
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('rate_limited');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(await svc.redis.get(`cataract:ratelimit:key:${keyId(KEY)}`))).toBe(41); // the refused batch cost one
  });

  it('503 with Retry-After when no photo could be asked (no live actor); 200 with per-photo 504s past the shared deadline', async () => {
    const slow = createGatewayServices(
      testConfig({ REDIS_URL: server.url, REQUEST_TIMEOUT_MS: '400', SERVED_MODELS: 'lgbm,clip', MAX_BATCH_FILES: '4' }),
      silentLogger,
      { registryCacheMs: 0 },
    );
    let blocker: ScriptedActor | undefined;
    try {
      await servicesReady(slow);
      await Promise.all(actors.map((a) => a.close()));
      await svc.redis.flushdb();
      const none = await withPhotos(request(slow.app).post('/predict_batch?model=lgbm'), [eyes[0], eyes[1]]);
      expect(none.status).toBe(503);
      expect(none.body.error.code).toBe('no_actor');
      expect(none.headers['retry-after']).toBeDefined();
      blocker = await startScriptedActor({ redisUrl: server.url, model: 'lgbm', handle: () => new Promise((r) => setTimeout(() => r(okResult('slow', 0.9)), 1500)) });
      const late = await withPhotos(request(slow.app).post('/predict_batch?model=lgbm'), [eyes[0], junk, eyes[1]]);
      expect(late.status).toBe(200);
      expect(late.body.results.map((x: { status?: number }) => x.status)).toEqual([504, 415, 504]);
      expect(late.body.summary).toMatchObject({ ok: 0, failed: 3, mean_confidence: null });
      expect(await slow.redis.keys('cataract:upload:*')).toEqual([]);
    } finally {
      await blocker?.close();
      await slow.close();
      actors = [
        await startScriptedActor({ redisUrl: server.url, model: 'lgbm', id: 'lgbm-1', handle: () => okResult('lgbm-1', 0.9, 'lgbm-b1') }),
        await startScriptedActor({ redisUrl: server.url, model: 'clip', id: 'clip-1', handle: () => okResult('clip-1', 0.3, 'clip-b1') }),
      ];
    }
  });

  it('leaves no temp file in CUSTOMER_DATA_DIR after all of the above', () => {
    const temp = existsSync(dataDir) ? readdirSync(dataDir, { recursive: true }).map(String).filter((f) => f.includes('.tmp-')) : [];
    expect(temp).toEqual([]);
  });
});
