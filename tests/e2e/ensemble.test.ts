import { EnsembleResponseSchema } from '@cataract/contracts';
import { extractLgbmFeatures } from '@cataract/imaging';
import { postImage } from '@cataract/test-support/http';
import { fixtureProbability, LgbmFixture, writeLgbmFixture } from '@cataract/test-support/models';
import { eyePhotos } from '@cataract/test-support/photos';
import { freePort } from '@cataract/test-support/ports';
import { assertBuilt, ManagedProcess, spawnActor, spawnGateway, waitForHealth } from '@cataract/test-support/processes';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';

const maybe = redisServerAvailable() ? describe : describe.skip;

/**
 * Degraded mode with the real processes: clip is served but has no actor (or is not served at
 * all), and the ensemble still answers from lgbm, saying so; with no actor at all it fails 503.
 */
maybe('e2e: the ensemble without a clip actor answers degraded from lgbm', () => {
  let redis: RedisServer;
  let fx: LgbmFixture;
  let lgbmActor: ManagedProcess;
  let both: { base: string; gw: ManagedProcess };
  let lgbmOnly: { base: string; gw: ManagedProcess };
  let photo: Buffer;

  const gateway = async (servedModels: string, workers: string) => {
    const port = await freePort();
    const gw = spawnGateway({ REDIS_URL: redis.url, MODELS_DIR: fx.modelsDir, PORT: String(port), HOST: '127.0.0.1', SERVED_MODELS: servedModels, GATEWAY_WORKERS: workers });
    return { base: `http://127.0.0.1:${port}`, gw };
  };

  beforeAll(async () => {
    assertBuilt();
    redis = await startRedis();
    fx = writeLgbmFixture();
    photo = (await eyePhotos(1)).photos[0].bytes;
    lgbmActor = spawnActor('lgbm', { REDIS_URL: redis.url, MODELS_DIR: fx.modelsDir });
    both = await gateway('lgbm,clip', '2');
    lgbmOnly = await gateway('lgbm', '1');
    for (const g of [both, lgbmOnly]) {
      await waitForHealth(g.base, (h) => (h.actors.lgbm ?? []).length === 1, { processes: [lgbmActor, g.gw], timeoutMs: 90_000 });
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.all([lgbmActor, both?.gw, lgbmOnly?.gw].filter(Boolean).map((p) => p!.stop()));
    fx?.remove();
    await redis?.stop();
  });

  it('clip served but without a live actor: 200 degraded, lgbm’s own answer, clip’s error', async () => {
    const p = fixtureProbability(fx, await extractLgbmFeatures(photo));
    for (const strategy of ['weighted', 'cascade']) {
      const r = await postImage(`${both.base}/predict_ensemble?strategy=${strategy}`, { field: 'file', bytes: photo, type: 'image/jpeg' });
      expect({ strategy, status: r.status }).toEqual({ strategy, status: 200 });
      const body = EnsembleResponseSchema.parse(r.body);
      expect(body).toMatchObject({ model_used: 'ensemble', strategy, model_version: `lgbm:${fx.version}`, probabilities: { cataract: expect.closeTo(p, 12) } });
      expect(body.actor_id).toMatch(new RegExp(`^lgbm:.*-${lgbmActor.pid}-`));
      // The cascade only needs clip when lgbm is unsure (default band 0.2-0.8).
      const clipNeeded = strategy === 'weighted' || (p >= 0.2 && p <= 0.8);
      expect(body.degraded).toBe(clipNeeded);
      if (clipNeeded) expect(body.models.clip).toEqual({ error: { code: 'no_actor', message: expect.stringContaining('clip') } });
    }
  });

  it('clip not served by this deployment: degraded from lgbm without asking clip', async () => {
    const r = await postImage(`${lgbmOnly.base}/predict_ensemble`, { field: 'file', bytes: photo, type: 'image/jpeg' });
    expect(r.status).toBe(200);
    expect(EnsembleResponseSchema.parse(r.body)).toMatchObject({ degraded: true, models: { clip: { error: { code: 'no_actor', message: expect.stringMatching(/not served/) } } } });
  });

  it('no model actor at all: 503 with Retry-After', async () => {
    expect(await lgbmActor.stop()).toBe(0); // removes its heartbeat at once
    const r = await postImage(`${both.base}/predict_ensemble`, { field: 'file', bytes: photo, type: 'image/jpeg' });
    expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status: 503, code: 'no_actor' });
    expect(r.headers.get('retry-after')).not.toBeNull();
  });
});
