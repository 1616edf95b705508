import { JOB_DEFAULTS, PredictionResponseSchema } from '@cataract/contracts';
import { extractLgbmFeatures } from '@cataract/imaging';
import { Redis } from 'ioredis';
import { TestCluster, startCluster } from '@cataract/test-support/cluster';
import { postImage } from '@cataract/test-support/http';
import { fixtureProbability, LgbmFixture, writeLgbmFixture } from '@cataract/test-support/models';
import { eyePhotos, EyeLabel } from '@cataract/test-support/photos';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';

const maybe = redisServerAvailable() ? describe : describe.skip;

maybe('e2e: gateway + lgbm actor processes, uploads of eye photos', () => {
  let redis: RedisServer;
  let fx: LgbmFixture;
  let cluster: TestCluster;
  let photos: Array<{ label: EyeLabel; bytes: Buffer }>;
  let source: string;
  let client: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    fx = writeLgbmFixture();
    ({ photos, source } = await eyePhotos(3));
    cluster = await startCluster({ redisUrl: redis.url, modelsDir: fx.modelsDir, actors: 1 });
    client = new Redis(redis.url);
  }, 120_000);
  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
    fx?.remove();
    await redis?.stop();
  });

  it('GET /health is ok and lists the actor process', async () => {
    const r = await fetch(`${cluster.base}/health`);
    expect(r.status).toBe(200);
    const h = await r.json();
    expect(h).toMatchObject({ status: 'ok', redis: 'connected', actors_available: 1, actors: { clip: [] } });
    expect(h.actors.lgbm).toEqual([expect.objectContaining({ pid: cluster.actors[0].pid, model_version: fx.version })]);
    expect(new Date(h.timestamp).toString()).not.toBe('Invalid Date');
  });

  it('GET / is JSON API information', async () => {
    const r = await fetch(`${cluster.base}/`, { headers: { Accept: 'application/json' } });
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    const info = await r.json();
    expect(info.endpoints.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['/', '/health', '/predict_lgbm']));
    expect(info.models.lgbm).toMatchObject({ served: true, version: fx.version, actor_versions: [fx.version] });
  });

  it('POST /predict_lgbm answers each photo with the model’s probability for its features', async () => {
    expect(photos.length).toBeGreaterThan(0);
    for (const [i, photo] of photos.entries()) {
      const field = i % 2 === 0 ? 'file' : 'image';
      const r = await postImage(`${cluster.base}/predict_lgbm`, { field, bytes: photo.bytes, filename: `eye-${i}.jpg`, type: 'image/jpeg' });
      expect({ source, status: r.status }).toEqual({ source, status: 200 });
      const body = PredictionResponseSchema.parse(r.body);
      const p = fixtureProbability(fx, await extractLgbmFeatures(photo.bytes));
      expect(body.probabilities.cataract).toBeCloseTo(p, 12);
      expect(body.prediction).toBe(p >= fx.threshold ? 'cataract' : 'normal');
      expect(body.confidence).toBeCloseTo(body.probabilities[body.prediction], 12);
      expect(body).toMatchObject({ model_used: 'lgbm', model_version: fx.version, request_id: r.headers.get('x-request-id') });
      expect(body.actor_id).toMatch(new RegExp(`-${cluster.actors[0].pid}-`));
    }
  });

  it('answers concurrent uploads, each with its own request id', async () => {
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) => postImage(`${cluster.base}/predict_lgbm`, { field: 'file', bytes: photos[i % photos.length].bytes })),
    );
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    expect(new Set(results.map((r) => r.body.request_id)).size).toBe(24);
  });

  describe('errors are JSON { error: { code, message }, request_id }', () => {
    const expectError = (r: { status: number; body: any }, status: number, code: string) => {
      expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status, code });
      expect(typeof r.body.error.message).toBe('string');
      expect(typeof r.body.request_id).toBe('string');
    };

    it('400 without a file, with a wrong field, with several files', async () => {
      const none = await fetch(`${cluster.base}/predict_lgbm`, { method: 'POST' });
      expectError({ status: none.status, body: await none.json() }, 400, 'no_file');
      expectError(await postImage(`${cluster.base}/predict_lgbm`, { field: 'photo', bytes: photos[0].bytes }), 400, 'unexpected_field');
      expectError(
        await postImage(`${cluster.base}/predict_lgbm`, [
          { field: 'file', bytes: photos[0].bytes },
          { field: 'file', bytes: photos[1].bytes },
        ]),
        400,
        'too_many_files',
      );
    });

    it('413 over MAX_UPLOAD_MB (default 10)', async () => {
      expectError(await postImage(`${cluster.base}/predict_lgbm`, { field: 'file', bytes: Buffer.alloc(11 * 1024 * 1024, 7) }), 413, 'file_too_large');
    });

    it('415 for non-images (gateway header check) and for truncated images (actor decode)', async () => {
      expectError(await postImage(`${cluster.base}/predict_lgbm`, { field: 'file', bytes: Buffer.from('hello\n'), type: 'image/jpeg' }), 415, 'unsupported_format');
      const truncated = photos[0].bytes.subarray(0, Math.floor(photos[0].bytes.length / 3));
      expectError(await postImage(`${cluster.base}/predict_lgbm`, { field: 'file', bytes: truncated }), 415, 'undecodable_image');
    });

    it('404 for unknown routes', async () => {
      const r = await fetch(`${cluster.base}/predict_resnet`, { method: 'POST' });
      expectError({ status: r.status, body: await r.json() }, 404, 'not_found');
    });
  });

  it('leaves no upload bytes in Redis and keeps finished jobs capped', async () => {
    expect(await client.keys('cataract:upload:*')).toEqual([]);
    const counts = { completed: await client.zcard('bull:lgbm:completed'), failed: await client.zcard('bull:lgbm:failed') };
    expect(counts.completed).toBeGreaterThan(0);
    expect(counts.completed).toBeLessThanOrEqual(JOB_DEFAULTS.keepCompleted);
    expect(counts.failed).toBeLessThanOrEqual(JOB_DEFAULTS.keepFailed);
  });

  it('the gateway and the actor stop gracefully on SIGTERM (exit 0)', async () => {
    const [gw, actor] = [cluster.gateway, cluster.actors[0]];
    expect(await actor.stop()).toBe(0);
    expect(await client.keys('cataract:actors:lgbm:*')).toEqual([]); // heartbeat removed at once
    expect(await gw.stop()).toBe(0);
  });
});
