/**
 * The production surface on the real processes: a gateway cluster of 4 workers and an lgbm actor,
 * with API keys, a shared rate limit, CORS, metrics, the dashboard, the docs, retained uploads and
 * log files all switched on, the way `npm start` / docker compose run them.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { PredictionResponseSchema } from '@cataract/contracts';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, TestCluster } from '@cataract/test-support/cluster';
import { LgbmFixture, writeLgbmFixture } from '@cataract/test-support/models';
import { eyePhotos } from '@cataract/test-support/photos';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { jsonLines, postFresh, sample } from './support/fresh-post';

const maybe = redisServerAvailable() ? describe : describe.skip;

const KEY_A = 'prod-test-key-alpha-7f3c';
const KEY_B = 'prod-test-key-bravo-91d2';
const ADMIN = 'prod-test-admin-c44e';
const keyId = (k: string) => createHash('sha256').update(k).digest('hex').slice(0, 8);
const LIMIT = 25;

maybe('production surface on the real processes (4 gateway workers, API keys, rate limit, metrics, uploads)', () => {
  let redis: RedisServer;
  let fx: LgbmFixture;
  let cluster: TestCluster;
  let photo: Buffer;
  let dataDir: string;
  let logDir: string;
  /** Every prediction answered 200, with the key it used. */
  const answered: Array<{ key: string; requestId: string }> = [];

  const predict = async (headers: Record<string, string>) => {
    const r = await postFresh(`${cluster.base}/predict_lgbm`, photo, headers);
    const key = headers['X-API-Key'] ?? headers.Authorization?.replace(/^Bearer /, '');
    if (r.status === 200) answered.push({ key: key!, requestId: String(r.headers['x-request-id']) });
    return r;
  };
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${cluster.base}${path}`, { headers });

  beforeAll(async () => {
    redis = await startRedis();
    fx = writeLgbmFixture();
    photo = (await eyePhotos(1)).photos[0].bytes;
    dataDir = mkdtempSync(join(tmpdir(), 'customer-data-'));
    logDir = mkdtempSync(join(tmpdir(), 'cataract-logs-'));
    cluster = await startCluster({
      redisUrl: redis.url,
      modelsDir: fx.modelsDir,
      actors: 1,
      gatewayEnv: {
        GATEWAY_WORKERS: '4',
        API_KEYS: `${KEY_A},${KEY_B}`,
        ADMIN_KEYS: ADMIN,
        RATE_LIMIT_PER_MINUTE: String(LIMIT),
        CORS_ORIGINS: 'https://clinic.example',
        SAVE_UPLOADS: 'true',
        CUSTOMER_DATA_DIR: dataDir,
        LOG_DIR: logDir,
        LOG_LEVEL: 'info',
      },
      actorEnv: { LOG_DIR: logDir },
    });
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
    fx?.remove();
    await redis?.stop();
    for (const d of [dataDir, logDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('predict needs a client key: 401 without, 403 wrong, 200 with X-API-Key or Bearer; /health needs none and says only ok', async () => {
    const none = await predict({});
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    const wrong = await predict({ 'X-API-Key': 'not-a-key' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('forbidden');
    const a = await predict({ 'X-API-Key': KEY_A });
    expect(a.status).toBe(200);
    PredictionResponseSchema.parse(a.body);
    expect(a.body).not.toHaveProperty('timings'); // actor timings stay inside the cluster
    expect((await predict({ Authorization: `Bearer ${KEY_B}` })).status).toBe(200);
    const health = await get('/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', timestamp: expect.any(String) });
    const detail = (await (await get('/health', { 'X-API-Key': ADMIN })).json()) as { actors: { lgbm: Array<{ pid: number }> } };
    expect(detail.actors.lgbm[0].pid).toBe(cluster.actors[0].child.pid);
  });

  it(`rate limit is exact across the 4 workers: ${LIMIT} per minute per key, then 429 with Retry-After`, async () => {
    // KEY_B spent 1 above; auth failures spent nothing
    const results = [];
    for (let i = 0; i < 30; i++) results.push(await predict({ 'X-API-Key': KEY_B }));
    expect(results.map((r) => r.status)).toEqual([...Array(LIMIT - 1).fill(200), ...Array(30 - LIMIT + 1).fill(429)]);
    const refused = results[results.length - 1];
    expect(refused.body.error.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['ratelimit-limit']).toBe(String(LIMIT));
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    // the other key still has its budget
    expect((await predict({ 'X-API-Key': KEY_A })).status).toBe(200);

    // they really were answered by different workers (fresh connections are spread over them)
    const lines = jsonLines(readFileSync(join(logDir, 'gateway.log'), 'utf8'));
    const ids = new Set(results.map((r) => String(r.headers['x-request-id'])));
    const pids = new Set(lines.filter((l) => l.req?.id && ids.has(l.req.id)).map((l) => l.pid));
    expect(pids.size).toBeGreaterThanOrEqual(2);
  });

  it('/metrics sums every worker: request counts, rejections by reason, actor timings, live actors', async () => {
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', { 'X-API-Key': KEY_A })).status).toBe(403); // client keys never read it
    const r = await get('/metrics', { 'X-API-Key': ADMIN });
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toMatch(/^# TYPE cataract_http_requests_total counter$/m);
    const ok = answered.length;
    expect(sample(text, 'cataract_http_requests_total{method="POST",route="/predict_lgbm",status="200"}')).toBe(ok);
    expect(sample(text, 'cataract_http_requests_total{method="POST",route="/predict_lgbm",status="429"}')).toBe(30 - LIMIT + 1);
    expect(sample(text, 'cataract_rejected_requests_total{reason="rate_limited",status="429"}')).toBe(30 - LIMIT + 1);
    expect(sample(text, 'cataract_rejected_requests_total{reason="unauthorized",status="401"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'cataract_rejected_requests_total{reason="forbidden",status="403"}')).toBe(2); // the wrong key, the client key on /metrics
    // published by the actor in each job's result
    expect(sample(text, 'cataract_queue_wait_seconds_count{model="lgbm"}')).toBe(ok);
    expect(sample(text, 'cataract_inference_seconds_count{model="lgbm"}')).toBe(ok);
    expect(sample(text, 'cataract_preprocess_seconds_count{model="lgbm"}')).toBe(ok);
    expect(sample(text, 'cataract_batch_size_sum{model="lgbm"}')).toBe(ok);
    expect(sample(text, 'cataract_job_processing_seconds_sum{model="lgbm"}')).toBeGreaterThan(0);
    expect(sample(text, 'cataract_live_actors{model="lgbm"}')).toBe(1);
    expect(sample(text, 'cataract_live_actors{model="clip"}')).toBe(0);
    expect(sample(text, 'cataract_queue_depth{model="lgbm",state="waiting"}')).toBe(0);
  });

  it('CORS: the listed origin may read answers, others may not; preflights need no key', async () => {
    const allowed = await get('/health', { Origin: 'https://clinic.example' });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://clinic.example');
    const other = await get('/health', { Origin: 'https://elsewhere.example' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(`${cluster.base}/predict_lgbm`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://clinic.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-api-key' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/x-api-key/i);
  });

  it('the queue dashboard is for the admin key (or basic auth with it), never a client key', async () => {
    expect((await get('/admin/queues')).status).toBe(401);
    expect((await get('/admin/queues', { 'X-API-Key': 'nope' })).status).toBe(403);
    expect((await get('/admin/queues/api/queues', { 'X-API-Key': KEY_A })).status).toBe(403);
    expect((await get('/admin/queues/api/queues', { Authorization: `Basic ${Buffer.from(`ops:${KEY_B}`).toString('base64')}` })).status).toBe(403);
    const page = await get('/admin/queues', { 'X-API-Key': ADMIN });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/admin/queues/');
    const basic = `Basic ${Buffer.from(`ops:${ADMIN}`).toString('base64')}`;
    const api = await get('/admin/queues/api/queues', { Authorization: basic });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: Array<{ name: string; readOnlyMode: boolean }> };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['clip', 'lgbm']);
    expect(body.queues.every((q) => q.readOnlyMode)).toBe(true);
  });

  it('serves a valid OpenAPI document and Swagger UI without a key', async () => {
    const doc = (await (await get('/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/', '/health', '/predict_lgbm', '/predict_ensemble', '/metrics']));
    await expect(SwaggerParser.validate(doc as never)).resolves.toBeDefined();
    const ui = await get('/docs/');
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger-ui/i);
  });

  it('kept every answered upload, atomically, with its sidecar (key id, never the key)', async () => {
    const days = readdirSync(dataDir);
    const files = days.flatMap((d) => readdirSync(join(dataDir, d)).map((f) => join(dataDir, d, f)));
    expect(files.filter((f) => f.includes('.tmp-'))).toEqual([]);
    const sidecars = files.filter((f) => f.endsWith('.json')).map((f) => ({ f, s: JSON.parse(readFileSync(f, 'utf8')) }));
    expect(sidecars).toHaveLength(answered.length);
    const byRequest = new Map(sidecars.map(({ f, s }) => [s.request_id as string, { f, s }]));
    for (const a of answered) {
      const rec = byRequest.get(a.requestId);
      expect(rec).toBeDefined();
      const { f, s } = rec!;
      expect(s).toMatchObject({ endpoint: '/predict_lgbm', client_key_id: keyId(a.key), results: { lgbm: { model_version: fx.version } } });
      const image = join(f, '..', s.image.file);
      expect(readFileSync(image).equals(photo)).toBe(true);
    }
    // no key anywhere on disk: not in the records, not in the logs
    for (const f of [...files, ...readdirSync(logDir).map((l) => join(logDir, l))]) {
      const text = readFileSync(f).toString('latin1');
      expect({ f, leaks: text.includes(KEY_A) || text.includes(KEY_B) || text.includes(ADMIN) }).toEqual({ f, leaks: false });
    }
  });

  it('logs JSON lines with the request id to stdout and LOG_DIR (gateway and actor files)', async () => {
    expect(existsSync(join(logDir, 'gateway.log'))).toBe(true);
    expect(readdirSync(logDir).some((f) => /^actor-lgbm.*\.log$/.test(f))).toBe(true);
    const lines = jsonLines(readFileSync(join(logDir, 'gateway.log'), 'utf8'));
    const last = answered[answered.length - 1];
    const line = lines.find((l) => l.req?.id === last.requestId);
    expect(line).toMatchObject({ service: 'gateway', level: 30, res: { statusCode: 200 }, responseTime: expect.any(Number) });
    expect(lines.some((l) => l.error_code === 'rate_limited' && l.req?.id)).toBe(true);
    expect(cluster.gateway.output()).toContain(last.requestId); // stdout too
  });
});
