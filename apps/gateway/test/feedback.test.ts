import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FeedbackResponseSchema, ReviewSchema } from '@cataract/contracts';
import request from 'supertest';
import { syntheticEye } from '@cataract/test-support/photos';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { okResult, ScriptedActor, startScriptedActor } from '@cataract/test-support/scripted-actor';
import { keyId } from '../src/http/security/api-keys';
import { parseReviewerKeys } from '../src/http/security/reviewers';
import { createGatewayServices, GatewayServices } from '../src/process/worker-services';
import { RESCAN_MARK_KEY, retainedRecordKey } from '../src/retention/record-index';
import { servicesReady, silentLogger, testConfig } from './helpers';

const maybe = redisServerAvailable() ? describe : describe.skip;
const CLIENT = 'client-key-1';
const REVIEWER = 'reviewer-key-2';
const ADMIN = 'admin-key-3';

/** Every file under dir (temp files included), for "nothing else happened" checks. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

describe('REVIEWER_KEYS', () => {
  it('takes keys or key ids of API_KEYS, and refuses anything else or a list without API_KEYS', () => {
    expect(parseReviewerKeys(undefined, [CLIENT])).toEqual([]);
    expect(parseReviewerKeys(`${REVIEWER}, ${keyId(CLIENT)}`, [CLIENT, REVIEWER])).toEqual([keyId(REVIEWER), keyId(CLIENT)]);
    expect(() => parseReviewerKeys('not-a-key', [CLIENT])).toThrow(/neither a key of API_KEYS nor the id of one/);
    expect(() => parseReviewerKeys(REVIEWER, [])).toThrow(/API_KEYS is not/);
    expect(() => testConfig({ API_KEYS: CLIENT, REVIEWER_KEYS: 'typo' })).toThrow(/invalid gateway configuration: REVIEWER_KEYS/);
  });
});

maybe('POST /feedback over a private redis-server', () => {
  let server: RedisServer;
  let dataDir: string;
  let a: GatewayServices; // two gateways sharing CUSTOMER_DATA_DIR and Redis
  let b: GatewayServices;
  let actor: ScriptedActor;
  let jpeg: Buffer;

  const start = (env: Record<string, string> = {}) => {
    const svc = createGatewayServices(
      testConfig({ REDIS_URL: server.url, REQUEST_TIMEOUT_MS: '3000', SAVE_UPLOADS: 'true', CUSTOMER_DATA_DIR: dataDir, API_KEYS: `${CLIENT},${REVIEWER}`, ADMIN_KEYS: ADMIN, REVIEWER_KEYS: keyId(REVIEWER), ...env }),
      silentLogger,
      { registryCacheMs: 0 },
    );
    return svc;
  };
  const predict = async (svc = a) => {
    const r = await request(svc.app).post('/predict_lgbm').set('X-API-Key', CLIENT).attach('file', jpeg, 'eye.jpg');
    expect(r.status).toBe(200);
    return r.body.request_id as string;
  };
  const sidecarOf = async (requestId: string) => {
    const rel = await a.redis.get(retainedRecordKey(requestId));
    expect(rel).toMatch(/^\d{4}-\d{2}-\d{2}\/.+\.json$/);
    return join(dataDir, rel!);
  };
  const feedback = (body: unknown, key: string | null = REVIEWER, svc = a) => {
    const req = request(svc.app).post('/feedback');
    if (key) req.set('X-API-Key', key);
    return typeof body === 'string' ? req.set('Content-Type', 'application/json').send(body) : req.send(body as object);
  };

  beforeAll(async () => {
    server = await startRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'feedback-data-'));
    a = start();
    b = start();
    await Promise.all([servicesReady(a), servicesReady(b)]);
    actor = await startScriptedActor({ redisUrl: server.url, handle: () => okResult('fb-actor', 0.8, 'lgbm-fb') });
    jpeg = await syntheticEye({ label: 'cataract', seed: 3 });
  });
  afterAll(async () => {
    await actor?.close();
    await Promise.all([a?.close(), b?.close()]);
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes the reviewed label into the sidecar: reviewer key id, never the key; the same label again changes nothing', async () => {
    const id = await predict();
    const path = await sidecarOf(id);
    const day = 24 * 60 * 60 * 1000;
    const ttl = await a.redis.pttl(retainedRecordKey(id)); // the index entry outlives its record (CUSTOMER_DATA_MAX_DAYS 30) by a day
    expect(ttl).toBeGreaterThan(30 * day);
    expect(ttl).toBeLessThanOrEqual(31 * day);
    const mtime = statSync(path).mtimeMs;
    const r = await feedback({ request_id: id, label: 'normal', note: 'clear lens at the slit lamp' });
    expect(r.status).toBe(200);
    const body = FeedbackResponseSchema.parse(r.body);
    expect(body).toMatchObject({ request_id: id, answered: 'cataract', changed: true, review: { label: 'normal', note: 'clear lens at the slit lamp', reviewer_key_id: keyId(REVIEWER) } });
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(REVIEWER);
    const sidecar = JSON.parse(text);
    expect(ReviewSchema.parse(sidecar.review)).toEqual(body.review);
    expect(sidecar.review.previous).toBeUndefined();
    expect(sidecar.answer.prediction).toBe('cataract'); // the rest of the record is as it was
    expect(Math.abs(statSync(path).mtimeMs - mtime)).toBeLessThanOrEqual(1); // a review does not extend retention (utimes keeps ms)
    // idempotent: 200, changed false, the file byte for byte the same, even from the other gateway
    const again = await feedback({ request_id: id, label: 'normal' }, REVIEWER, b);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ changed: false, review: { note: 'clear lens at the slit lamp' } });
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('409 for another label without "replace", which then keeps the earlier review under previous', async () => {
    const id = await predict();
    const path = await sidecarOf(id);
    expect((await feedback({ request_id: id, label: 'cataract' })).status).toBe(200);
    const before = readFileSync(path, 'utf8');
    const conflict = await feedback({ request_id: id, label: 'normal' });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ error: { code: 'review_conflict' }, request_id: expect.any(String) });
    expect(readFileSync(path, 'utf8')).toBe(before);
    const replaced = await feedback({ request_id: id, label: 'normal', replace: true, note: 'second opinion' });
    expect(replaced.status).toBe(200);
    const review = ReviewSchema.parse(JSON.parse(readFileSync(path, 'utf8')).review);
    expect(review).toMatchObject({ label: 'normal', note: 'second opinion', previous: [{ label: 'cataract', reviewer_key_id: keyId(REVIEWER) }] });
    expect(review.previous![0]).not.toHaveProperty('previous');
  });

  it('404 for an unknown request id and for a pruned record (whose index entry goes too)', async () => {
    const unknown = await feedback({ request_id: '00000000-0000-4000-8000-000000000000', label: 'normal' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('unknown_request');
    const id = await predict();
    const path = await sidecarOf(id);
    for (const f of readdirSync(dirname(path))) if (f.startsWith(JSON.parse(readFileSync(path, 'utf8')).record_id)) rmSync(join(dirname(path), f));
    const pruned = await feedback({ request_id: id, label: 'normal' });
    expect(pruned.status).toBe(404);
    expect(await a.redis.exists(retainedRecordKey(id))).toBe(0);
  });

  it('finds a record whose index entry was lost by scanning CUSTOMER_DATA_DIR (and re-indexes it)', async () => {
    const id = await predict(b);
    const path = await sidecarOf(id);
    await a.redis.del(retainedRecordKey(id), RESCAN_MARK_KEY);
    const r = await feedback({ request_id: id, label: 'cataract' });
    expect(r.status).toBe(200);
    expect(JSON.parse(readFileSync(path, 'utf8')).review.label).toBe('cataract');
    expect(await a.redis.exists(retainedRecordKey(id), RESCAN_MARK_KEY)).toBe(2);
  });

  it('400 for bad JSON, wrong types, missing or extra fields, a bad label: nothing on disk changes, no temp file', async () => {
    const id = await predict();
    const before = filesUnder(dataDir).map((f) => [f, readFileSync(f, 'utf8')]);
    const bad: Array<[unknown, string]> = [
      ['{"request_id": "x", "label": ', 'invalid_feedback'],
      [{ request_id: id, label: 'glaucoma' }, 'invalid_feedback'],
      [{ request_id: id }, 'invalid_feedback'],
      [{ label: 'normal' }, 'invalid_feedback'],
      [{ request_id: 42, label: 'normal' }, 'invalid_feedback'],
      [{ request_id: id, label: 'normal', replace: 'yes' }, 'invalid_feedback'],
      [{ request_id: id, label: 'normal', note: 7 }, 'invalid_feedback'],
      [{ request_id: id, label: 'normal', extra: true }, 'invalid_feedback'],
      [{ request_id: '../../etc/passwd', label: 'normal' }, 'invalid_feedback'],
      [[{ request_id: id, label: 'normal' }], 'invalid_feedback'],
      [JSON.stringify({ request_id: id, label: 'normal', note: 'x'.repeat(20_000) }), 'body_too_large'],
    ];
    for (const [body, code] of bad) {
      const r = await feedback(body);
      expect({ body, status: r.status, code: r.body?.error?.code }).toEqual({ body, status: code === 'body_too_large' ? 413 : 400, code });
      expect(r.body.request_id).toEqual(expect.any(String));
    }
    const form = await request(a.app).post('/feedback').set('X-API-Key', REVIEWER).type('form').send(`request_id=${id}&label=normal`);
    expect({ status: form.status, code: form.body.error.code }).toEqual({ status: 400, code: 'invalid_feedback' });
    expect(filesUnder(dataDir).map((f) => [f, readFileSync(f, 'utf8')])).toEqual(before);
  });

  it('needs a client key (401 without, 403 for an admin key) listed in REVIEWER_KEYS (403 for another client key): nothing changes', async () => {
    const id = await predict();
    const path = await sidecarOf(id);
    const before = readFileSync(path, 'utf8');
    const none = await feedback({ request_id: id, label: 'normal' }, null);
    expect(none.status).toBe(401);
    const admin = await feedback({ request_id: id, label: 'normal' }, ADMIN);
    expect(admin.status).toBe(403);
    const client = await feedback({ request_id: id, label: 'normal' }, CLIENT);
    expect(client.status).toBe(403);
    expect(client.body.error).toEqual({ code: 'forbidden', message: expect.stringMatching(/REVIEWER_KEYS/) });
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('loses no update when reviews of one record arrive at once on two gateways', async () => {
    const id = await predict();
    const path = await sidecarOf(id);
    const n = 12;
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) => feedback({ request_id: id, label: i % 2 ? 'normal' : 'cataract', note: `review ${i}`, replace: true }, REVIEWER, i % 2 ? a : b)),
    );
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
    const review = ReviewSchema.parse(JSON.parse(readFileSync(path, 'utf8')).review);
    const notes = [review.note, ...review.previous!.map((p) => p.note)].sort();
    expect(notes).toEqual(Array.from({ length: n }, (_, i) => `review ${i}`).sort());
    expect(readdirSync(dirname(path)).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
    // two different labels at once without "replace": one wins, the other is told
    const id2 = await predict();
    const race = await Promise.all([feedback({ request_id: id2, label: 'normal' }, REVIEWER, a), feedback({ request_id: id2, label: 'cataract' }, REVIEWER, b)]);
    expect(race.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('tells the onFeedback hook of each review written (not of a repeat)', async () => {
    const hooked = createGatewayServices(
      testConfig({ REDIS_URL: server.url, SAVE_UPLOADS: 'true', CUSTOMER_DATA_DIR: dataDir, API_KEYS: CLIENT }),
      silentLogger,
    );
    const feedbackSeen: unknown[] = [];
    try {
      await servicesReady(hooked);
      const { createApp } = await import('../src/http/app');
      const app = createApp({ ...hooked.appDeps, onFeedback: (s) => void feedbackSeen.push(s) });
      const id = await predict();
      for (let i = 0; i < 2; i++) expect((await request(app).post('/feedback').set('X-API-Key', CLIENT).send({ request_id: id, label: 'normal' })).status).toBe(200);
      expect(feedbackSeen).toEqual([expect.objectContaining({ request_id: id, review: expect.objectContaining({ label: 'normal', reviewer_key_id: keyId(CLIENT) }) })]);
    } finally {
      await hooked.close();
    }
  });

  it('409 uploads_not_retained when SAVE_UPLOADS is off', async () => {
    const off = createGatewayServices(testConfig({ REDIS_URL: server.url }), silentLogger);
    try {
      await servicesReady(off);
      const r = await request(off.app).post('/feedback').send({ request_id: 'x', label: 'normal' });
      expect(r.status).toBe(409);
      expect(r.body.error).toEqual({ code: 'uploads_not_retained', message: expect.stringMatching(/SAVE_UPLOADS/) });
    } finally {
      await off.close();
    }
  });
});
