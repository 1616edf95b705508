import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchResponseSchema, ReviewSchema } from '@cataract/contracts';
import { renderSampleEyePhotos } from '@cataract/imaging';
import { Redis } from 'ioredis';
import { startCluster, TestCluster } from '@cataract/test-support/cluster';
import { postImage } from '@cataract/test-support/http';
import { LgbmFixture, writeLgbmFixture } from '@cataract/test-support/models';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';

const maybe = redisServerAvailable() ? describe : describe.skip;
const CLIENT = 'e2e-client-key';
const REVIEWER = 'e2e-reviewer-key';
const ADMIN = 'e2e-admin-key';

/** Every retained file and its content (temp files included): bad input must leave this as it was. */
function snapshot(dir: string): Array<[string, string]> {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort()
    .map((f) => [f, readFileSync(f, 'latin1')]);
}

maybe('e2e: batches and reviewed labels over a real cluster (2 HTTP workers, retained uploads)', () => {
  let redis: RedisServer;
  let fx: LgbmFixture;
  let dataDir: string;
  let cluster: TestCluster;
  let client: Redis;
  let eyes: Buffer[];
  let ids: string[] = [];
  const junk = Buffer.from('GIF89a but not really: a text file sent as a photo');
  const start = () =>
    startCluster({
      redisUrl: redis.url,
      modelsDir: fx.modelsDir,
      actors: 1,
      gatewayEnv: { SAVE_UPLOADS: 'true', CUSTOMER_DATA_DIR: dataDir, API_KEYS: `${CLIENT},${REVIEWER}`, ADMIN_KEYS: ADMIN, REVIEWER_KEYS: REVIEWER, GATEWAY_WARMUP_REQUESTS: '0' },
    });
  const feedback = async (body: unknown, key = REVIEWER) => {
    const r = await fetch(`${cluster.base}/feedback`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-API-Key': key }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as any };
  };
  const sidecarFor = (requestId: string) => {
    const files = readdirSync(dataDir, { recursive: true }).map(String).filter((f) => f.endsWith('.json') && !f.includes('.tmp-'));
    const hit = files.map((f) => join(dataDir, f)).find((f) => JSON.parse(readFileSync(f, 'utf8')).request_id === requestId);
    if (!hit) throw new Error(`no sidecar of ${requestId}`);
    return hit;
  };

  beforeAll(async () => {
    redis = await startRedis();
    fx = writeLgbmFixture();
    dataDir = mkdtempSync(join(tmpdir(), 'e2e-feedback-'));
    eyes = await renderSampleEyePhotos();
    cluster = await start();
    client = new Redis(redis.url);
  }, 120_000);
  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
    fx?.remove();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a batch with one junk file among good photos: each photo answered in order, the junk one with its own 415; each answered photo retained', async () => {
    const parts = [eyes[0], junk, eyes[1], eyes[2]].map((bytes, i) => ({ field: 'images', bytes, filename: `p${i}.jpg`, type: 'image/jpeg' }));
    const r = await postImage(`${cluster.base}/predict_batch?model=lgbm`, parts, { headers: { 'X-API-Key': CLIENT } });
    expect(r.status).toBe(200);
    const body = BatchResponseSchema.parse(r.body);
    expect(body.results.map((x) => ('error' in x ? x.status : 'prediction' in x ? 200 : 0))).toEqual([200, 415, 200, 200]);
    expect(body.summary).toMatchObject({ total: 4, ok: 3, failed: 1 });
    ids = body.results.map((x) => x.request_id);
    expect(ids).toEqual([0, 1, 2, 3].map((i) => `${body.request_id}:${i}`));
    for (const i of [0, 2, 3]) expect(JSON.parse(readFileSync(sidecarFor(ids[i]), 'utf8')).endpoint).toBe('/predict_batch');
    expect(() => sidecarFor(ids[1])).toThrow(/no sidecar/);
  });

  it('too many photos, the wrong field or an unknown model: 400, and nothing is retained', async () => {
    const before = snapshot(dataDir);
    const many = Array.from({ length: 17 }, () => ({ field: 'images', bytes: eyes[0] }));
    const cases = [
      [await postImage(`${cluster.base}/predict_batch?model=lgbm`, many, { headers: { 'X-API-Key': CLIENT } }), 'too_many_files'],
      [await postImage(`${cluster.base}/predict_batch?model=lgbm`, { field: 'file', bytes: eyes[0] }, { headers: { 'X-API-Key': CLIENT } }), 'unexpected_field'],
      [await postImage(`${cluster.base}/predict_batch?model=resnet`, { field: 'images', bytes: eyes[0] }, { headers: { 'X-API-Key': CLIENT } }), 'bad_request'],
    ] as const;
    for (const [r, code] of cases) expect({ status: r.status, code: r.body.error.code }).toEqual({ status: 400, code });
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('feedback: 200, then the same label 200 unchanged, another label 409, unknown 404, bad label 400, a client key that may not review 403', async () => {
    expect((await feedback({ request_id: ids[0], label: 'normal', note: 'reviewed' })).status).toBe(200);
    const path = sidecarFor(ids[0]);
    const text = readFileSync(path, 'utf8');
    expect(ReviewSchema.parse(JSON.parse(text).review)).toMatchObject({ label: 'normal', note: 'reviewed', reviewer_key_id: expect.stringMatching(/^[0-9a-f]{8}$/) });
    expect(text).not.toContain(REVIEWER);
    const before = snapshot(dataDir);
    expect(await feedback({ request_id: ids[0], label: 'normal' })).toMatchObject({ status: 200, body: { changed: false } });
    expect(await feedback({ request_id: ids[0], label: 'cataract' })).toMatchObject({ status: 409, body: { error: { code: 'review_conflict' } } });
    expect(await feedback({ request_id: ids[1], label: 'cataract' })).toMatchObject({ status: 404, body: { error: { code: 'unknown_request' } } });
    expect(await feedback({ request_id: ids[0], label: 'glaucoma' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_feedback' } } });
    expect(await feedback('{"request_id":')).toMatchObject({ status: 400, body: { error: { code: 'invalid_feedback' } } });
    expect(await feedback({ request_id: ids[0], label: 'cataract', replace: true }, CLIENT)).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('concurrent reviews of one record through both HTTP workers: every one applied, none lost', async () => {
    const n = 10;
    const answers = await Promise.all(Array.from({ length: n }, (_, i) => feedback({ request_id: ids[2], label: i % 2 ? 'cataract' : 'normal', note: `n${i}`, replace: true })));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const review = ReviewSchema.parse(JSON.parse(readFileSync(sidecarFor(ids[2]), 'utf8')).review);
    expect([review.note, ...(review.previous ?? []).map((p) => p.note)].sort()).toEqual(Array.from({ length: n }, (_, i) => `n${i}`).sort());
  });

  it('after a restart the reviewed record is on disk as it was, and feedback still finds records (also with the Redis index lost)', async () => {
    const path = sidecarFor(ids[0]);
    const text = readFileSync(path, 'utf8');
    await cluster.stop();
    cluster = await start();
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(await feedback({ request_id: ids[0], label: 'normal' })).toMatchObject({ status: 200, body: { changed: false, review: { note: 'reviewed' } } });
    const removed = await client.del(`cataract:retained:${ids[3]}`, 'cataract:retained-rescanned');
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(await feedback({ request_id: ids[3], label: 'cataract' })).toMatchObject({ status: 200, body: { changed: true } });
    expect(JSON.parse(readFileSync(sidecarFor(ids[3]), 'utf8')).review.label).toBe('cataract');
    expect(readdirSync(dataDir, { recursive: true }).map(String).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 120_000);
});
