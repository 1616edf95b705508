import { EnsembleResponseSchema, PredictionResponseSchema } from '@cataract/contracts';
import { extractLgbmFeatures } from '@cataract/imaging';
import { postImage } from '@cataract/test-support/http';
import { fixtureProbability, LgbmFixture, writeLgbmFixture } from '@cataract/test-support/models';
import { colourRamp, OnnxFixture, solidPng, writeOnnxFixture } from '@cataract/test-support/onnx-models';
import { freePort } from '@cataract/test-support/ports';
import { assertBuilt, HealthBody, ManagedProcess, spawnActor, spawnGateway, waitForHealth } from '@cataract/test-support/processes';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';

const maybe = redisServerAvailable() ? describe : describe.skip;

type BatchingHealth = HealthBody & { actors: Record<string, Array<{ pid: number; model_version: string; batching?: { max_batch: number; batches: number; batched_inputs: number; avg_batch_size: number } }>> };

/**
 * The real processes (gateway cluster, an lgbm actor and a clip actor) against a private Redis, with
 * a MODELS_DIR holding two tiny genuine models: the lgbm fixture and an ONNX classifier written in
 * the test. Shows the clip actor serves any manifest'd ONNX model, batches concurrent requests
 * without mixing up answers, and the ensemble combines both over HTTP.
 */
maybe('e2e: clip actor (ONNX fixture) and the ensemble, real processes', () => {
  let redis: RedisServer;
  let lgbm: LgbmFixture;
  let clip: OnnxFixture;
  let base: string;
  let procs: ManagedProcess[] = [];
  let clipActor: ManagedProcess;
  const RED: [number, number, number] = [230, 20, 10];
  const BLUE: [number, number, number] = [10, 30, 220];
  const clipP = (c: [number, number, number]) => clip.probability(c[0] / 255, c[1] / 255, c[2] / 255);
  const lgbmP = async (img: Buffer) => fixtureProbability(lgbm, await extractLgbmFeatures(img));

  beforeAll(async () => {
    assertBuilt();
    redis = await startRedis();
    lgbm = writeLgbmFixture();
    clip = writeOnnxFixture({ modelsDir: lgbm.modelsDir, kind: 'logits' });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const common = { REDIS_URL: redis.url, MODELS_DIR: lgbm.modelsDir };
    // A wide window so that concurrent test requests meet in one batch even on a loaded machine.
    clipActor = spawnActor('clip', { ...common, CLIP_MAX_BATCH: '8', CLIP_MAX_WAIT_MS: '200' });
    procs = [
      clipActor,
      spawnActor('lgbm', common),
      spawnGateway({ ...common, PORT: String(port), HOST: '127.0.0.1', SERVED_MODELS: 'lgbm,clip', ENSEMBLE_WEIGHTS: 'lgbm=0.25,clip=0.75', CASCADE_BAND: '0.1-0.5' }),
    ];
    await waitForHealth(base, (h) => h.status === 'ok' && h.actors.clip?.length === 1 && h.actors.lgbm?.length === 1, { processes: procs, timeoutMs: 90_000 });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    lgbm?.remove();
    await redis?.stop();
  });

  it('GET /health lists the clip actor with its batching counters', async () => {
    const h = (await (await fetch(`${base}/health`)).json()) as BatchingHealth;
    expect(h.actors.clip).toEqual([expect.objectContaining({ pid: clipActor.pid, model_version: clip.version, batching: expect.objectContaining({ max_batch: 8, max_wait_ms: 200 }) })]);
    expect(h.actors.lgbm[0].batching).toBeUndefined();
  });

  it('POST /predict_clip answers model_used "clip" with the ONNX model’s probability', async () => {
    for (const [rgb, label] of [[RED, 'cataract'], [BLUE, 'normal']] as const) {
      const r = await postImage(`${base}/predict_clip`, { field: 'file', bytes: await solidPng(rgb), type: 'image/png', filename: 'eye.png' });
      expect(r.status).toBe(200);
      const body = PredictionResponseSchema.parse(r.body);
      expect(body).toMatchObject({ model_used: 'clip', model_version: clip.version, prediction: label });
      expect(body.probabilities.cataract).toBeCloseTo(clipP(rgb), 5);
      expect(body.actor_id).toMatch(new RegExp(`-${clipActor.pid}-`));
    }
  });

  it('24 concurrent distinct images each get their own answer, served in batches larger than one', async () => {
    const ramp = await colourRamp(clip, 24);
    const before = ((await (await fetch(`${base}/health`)).json()) as BatchingHealth).actors.clip[0].batching!;
    const results = await Promise.all(ramp.map((r) => postImage(`${base}/predict_clip`, { field: 'file', bytes: r.bytes, type: 'image/png' })));
    results.forEach((r, i) => expect({ i, status: r.status, p: r.body.probabilities?.cataract }).toEqual({ i, status: 200, p: expect.closeTo(ramp[i].p, 5) }));
    // The heartbeat refreshes every second: wait until it has counted these 24 inputs.
    const h = (await waitForHealth(base, (x) => ((x as BatchingHealth).actors.clip?.[0]?.batching?.batched_inputs ?? 0) >= before.batched_inputs + 24, { timeoutMs: 10_000 })) as BatchingHealth;
    const after = h.actors.clip[0].batching!;
    const batches = after.batches - before.batches;
    expect(batches).toBeLessThan(24); // some requests shared an inference
    expect(after.avg_batch_size).toBeGreaterThan(1);
  });

  it('POST /predict_ensemble combines lgbm and clip by the configured weights', async () => {
    for (const rgb of [RED, BLUE]) {
      const img = await solidPng(rgb);
      const r = await postImage(`${base}/predict_ensemble`, { field: 'image', bytes: img, type: 'image/png' });
      expect(r.status).toBe(200);
      const body = EnsembleResponseSchema.parse(r.body);
      const pl = await lgbmP(img);
      expect(body.probabilities.cataract).toBeCloseTo(0.25 * pl + 0.75 * clipP(rgb), 5);
      expect(body).toMatchObject({ model_used: 'ensemble', strategy: 'weighted', degraded: false, model_version: `lgbm:${lgbm.version}+clip:${clip.version}` });
      expect(body.models.lgbm).toMatchObject({ probabilities: { cataract: expect.closeTo(pl, 12) } });
      expect(body.models.clip).toMatchObject({ probabilities: { cataract: expect.closeTo(clipP(rgb), 5) } });
    }
  });

  it('?strategy=cascade asks clip only when lgbm falls in CASCADE_BAND (0.1-0.5)', async () => {
    for (const rgb of [RED, BLUE]) {
      const img = await solidPng(rgb);
      const pl = await lgbmP(img);
      const unsure = pl >= 0.1 && pl <= 0.5;
      const r = await postImage(`${base}/predict_ensemble?strategy=cascade`, { field: 'file', bytes: img, type: 'image/png' });
      const body = EnsembleResponseSchema.parse(r.body);
      expect(body.cascade).toEqual({ band: [0.1, 0.5], lgbm_p: expect.closeTo(pl, 12), clip_called: unsure });
      expect(body.probabilities.cataract).toBeCloseTo(unsure ? 0.25 * pl + 0.75 * clipP(rgb) : pl, 5);
      expect(body.models.clip === undefined).toBe(!unsure);
    }
  });

  it('415 from the ensemble for a truncated image (refused by the actors’ decode)', async () => {
    const png = await solidPng(RED, 400, 300);
    const r = await postImage(`${base}/predict_ensemble`, { field: 'file', bytes: png.subarray(0, Math.floor(png.length / 2)), type: 'image/png' });
    expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status: 415, code: 'undecodable_image' });
  });

  it('the clip actor stops gracefully on SIGTERM (exit 0)', async () => {
    expect(await clipActor.stop()).toBe(0);
  });
});
