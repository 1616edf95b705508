import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnsembleResponseSchema, IMAGE_REJECTION_CODES, PredictionResponseSchema } from '@cataract/contracts';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { postImage } from '@cataract/test-support/http';
import { LgbmFixture, writeLgbmFixture } from '@cataract/test-support/models';
import { writeOnnxFixture } from '@cataract/test-support/onnx-models';
import { eyePhotos } from '@cataract/test-support/photos';
import { freePort } from '@cataract/test-support/ports';
import { assertBuilt, ManagedProcess, spawnActor, spawnGateway, waitForHealth } from '@cataract/test-support/processes';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { HostileCase, hostileCorpus, Send } from './corpus';
import { FuzzSeed, fuzzCorpus } from './fuzz';
import { childPids, isAlive, procAvailable } from '@cataract/test-support/proc-inspect';
import { multipartPart, multipartRequest, rawRequest } from './raw-http';
import { SteadyClient, steadyClient } from './steady-client';

const maybe = redisServerAvailable() ? describe : describe.skip;

const MAX_UPLOAD_MB = 10;
/** Short slow-client limits so the slowloris cases finish in seconds (production default: REQUEST_TIMEOUT_MS). */
const UPLOAD_TIMEOUT_MS = 4000;
const HEADERS_TIMEOUT_MS = 2000;
const FUZZ_CASES = 300;
const FUZZ_SEED = 0xca7a2ac7;
const FUZZ_CONCURRENCY = 4;
/** A request with no answer after this long counts as a hang. */
const HANG_MS = 30_000;
const ENDPOINTS = ['/predict_lgbm', '/predict_clip', '/predict_ensemble'] as const;

type Outcome = { status: number | 'hang' | string; code?: string; valid?: boolean; retryAfter?: string | null };

maybe('hostile uploads against the real processes (gateway cluster, lgbm and clip actors, private Redis)', () => {
  let redis: RedisServer;
  let lgbm: LgbmFixture;
  let base: string;
  let port: number;
  let gateway: ManagedProcess;
  let actors: ManagedProcess[];
  let procTmp: string;
  let sharedTmpBefore: Set<string>;
  let workersBefore: number[];
  let photos: Buffer[];
  let photoSource: string;
  let corpus: HostileCase[];
  let steady: SteadyClient;

  beforeAll(async () => {
    assertBuilt();
    redis = await startRedis();
    lgbm = writeLgbmFixture();
    writeOnnxFixture({ modelsDir: lgbm.modelsDir, kind: 'logits' });
    // Every process of the cluster gets its own TMPDIR: anything an upload leaves on disk shows up there.
    procTmp = mkdtempSync(join(tmpdir(), 'cataract-hostile-tmp-'));
    sharedTmpBefore = new Set(readdirSync(tmpdir()));
    // Photos and the corpus (it renders a 30000x30000 PNG bomb) come before the cluster. Built
    // after it, they left fetch's pooled socket from the last health poll idle while the gateway's
    // 5 s keep-alive timeout ran, and the first upload could meet the server's close of that socket
    // (EPIPE on the first case: 2 full-suite runs in about 12).
    const found = await eyePhotos(3);
    photoSource = found.source;
    photos = found.photos.map((p) => p.bytes);
    corpus = await hostileCorpus(photos[0], { maxUploadBytes: MAX_UPLOAD_MB * 1024 * 1024 });
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const common = { REDIS_URL: redis.url, MODELS_DIR: lgbm.modelsDir, TMPDIR: procTmp };
    actors = [spawnActor('lgbm', common), spawnActor('clip', common)];
    gateway = spawnGateway({
      ...common,
      PORT: String(port),
      HOST: '127.0.0.1',
      GATEWAY_WORKERS: '2',
      SERVED_MODELS: 'lgbm,clip',
      ENSEMBLE_WEIGHTS: 'lgbm=0.5,clip=0.5',
      MAX_UPLOAD_MB: String(MAX_UPLOAD_MB),
      UPLOAD_TIMEOUT_MS: String(UPLOAD_TIMEOUT_MS),
      HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    });
    await waitForHealth(base, (h) => h.status === 'ok' && h.actors.lgbm?.length === 1 && h.actors.clip?.length === 1, {
      processes: [gateway, ...actors],
      timeoutMs: 90_000,
    });
    if (procAvailable) {
      // both cluster workers forked and listening (health answered from one of them)
      for (let i = 0; i < 100 && childPids(gateway.pid).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      workersBefore = childPids(gateway.pid);
    }
    steady = steadyClient(['/predict_lgbm', '/predict_clip'].map((p) => base + p), photos);
  }, 150_000);

  afterAll(async () => {
    await steady?.stop();
    await Promise.all([gateway, ...(actors ?? [])].filter(Boolean).map((p) => p.stop()));
    lgbm?.remove();
    await redis?.stop();
    if (procTmp) rmSync(procTmp, { recursive: true, force: true });
  });

  it('has photos to attack with (real ones from ../shared, else rendered eyes)', () => {
    process.stdout.write(`hostile uploads: photos from ${photoSource === 'shared' ? '../shared/data/cataract/train' : 'synthetic renders (../shared absent)'}\n`);
    expect(photos.length).toBeGreaterThanOrEqual(4);
  });

  it('answers every named hostile upload with its documented status and code, on every predict endpoint', async () => {
    const got: Array<{ case: string; endpoint: string } & Outcome> = [];
    const want: typeof got = [];
    for (const c of corpus) {
      for (const endpoint of ENDPOINTS) {
        const o = await send(base + endpoint, c.send);
        got.push({ case: c.name, endpoint, ...o });
        want.push({ case: c.name, endpoint, ...expectation(c) });
      }
    }
    expect(got).toEqual(want);
  }, 240_000);

  describe('requests fetch cannot send', () => {
    it('431 for request headers over node’s limit', async () => {
      const body = multipartPart(['Content-Disposition: form-data; name="file"; filename="a.jpg"'], 'abc') + `--${'----hostile-boundary-7d3f'}--\r\n`;
      const r = await rawRequest(port, multipartRequest('/predict_lgbm', body, [`X-Padding: ${'a'.repeat(100_000)}`]));
      expect(r.status).toBe(431);
    });

    it('400 bad_request for a multipart part header of 200 KB and for 3000 part headers', async () => {
      const long = multipartPart([`Content-Disposition: form-data; name="file"; filename="${'a'.repeat(200_000)}.jpg"`], 'abc');
      const many = multipartPart(['Content-Disposition: form-data; name="file"; filename="a.jpg"', ...Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`)], 'abc');
      for (const part of [long, many]) {
        const r = await rawRequest(port, multipartRequest('/predict_lgbm', part + '------hostile-boundary-7d3f--\r\n'));
        expect({ status: r.status, code: errorCode(r.response) }).toEqual({ status: 400, code: 'bad_request' });
      }
    });

    it('400 bad_request for a multipart body that ends before its closing boundary', async () => {
      const r = await rawRequest(port, multipartRequest('/predict_lgbm', multipartPart(['Content-Disposition: form-data; name="file"; filename="a.jpg"'], 'abc')));
      expect({ status: r.status, code: errorCode(r.response) }).toEqual({ status: 400, code: 'bad_request' });
    });

    it(`cuts off a slowloris upload (body trickled byte by byte) with 408 after UPLOAD_TIMEOUT_MS (${UPLOAD_TIMEOUT_MS} ms)`, async () => {
      const head = [
        'POST /predict_lgbm HTTP/1.1',
        'Host: 127.0.0.1',
        'Content-Type: multipart/form-data; boundary=----hostile-boundary-7d3f',
        'Content-Length: 1000000',
        '',
        '------hostile-boundary-7d3f\r\nContent-Disposition: form-data; name="file"; filename="slow.jpg"\r\n\r\n',
      ].join('\r\n');
      const r = await rawRequest(port, head, { trickleMs: 100, giveUpMs: 30_000 });
      expect(r.status).toBe(408);
      // Cut by the server (not our give-up), after the limit: not before, and not minutes later.
      expect(r.closedAfterMs).toBeGreaterThanOrEqual(UPLOAD_TIMEOUT_MS - 100);
      expect(r.closedAfterMs).toBeLessThan(UPLOAD_TIMEOUT_MS + 8000);
    });

    it(`cuts off a slowloris client trickling its headers with 408 after HEADERS_TIMEOUT_MS (${HEADERS_TIMEOUT_MS} ms)`, async () => {
      const r = await rawRequest(port, 'POST /predict_lgbm HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', { trickleMs: 100, giveUpMs: 30_000 });
      expect(r.status).toBe(408);
      expect(r.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
      expect(r.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 8000);
    });
  });

  it(`answers ${FUZZ_CASES} seeded mutants of real photos with a valid 200 or a documented 415, never a 5xx or a hang`, async () => {
    const seeds: FuzzSeed[] = [];
    for (const [i, bytes] of photos.slice(0, 2).entries()) {
      seeds.push({ name: `photo${i}.jpg`, format: 'jpeg', bytes });
      seeds.push({ name: `photo${i}.png`, format: 'png', bytes: await sharp(bytes).resize(256).png().toBuffer() });
      seeds.push({ name: `photo${i}.webp`, format: 'webp', bytes: await sharp(bytes).webp({ quality: 80 }).toBuffer() });
    }
    const cases = fuzzCorpus(seeds, FUZZ_CASES, FUZZ_SEED);
    const results: Array<{ name: string; endpoint: string } & Outcome> = new Array(cases.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: FUZZ_CONCURRENCY }, async () => {
        for (let i = next++; i < cases.length; i = next++) {
          const endpoint = ENDPOINTS[i % ENDPOINTS.length];
          const o = await send(base + endpoint, { form: [{ field: 'file', bytes: cases[i].bytes, filename: 'fuzz.bin' }] });
          results[i] = { name: cases[i].name, endpoint, ...o };
        }
      }),
    );
    const acceptable = (r: Outcome) =>
      (r.status === 200 && r.valid === true) ||
      (r.status === 415 && (IMAGE_REJECTION_CODES as readonly string[]).includes(r.code ?? '')) ||
      (r.status === 503 && r.retryAfter !== null); // overload, with Retry-After
    expect(results.filter((r) => !acceptable(r))).toEqual([]);
    const tally = results.reduce<Record<string, number>>((t, r) => ((t[`${r.status} ${r.code ?? ''}`.trim()] = (t[`${r.status} ${r.code ?? ''}`.trim()] ?? 0) + 1), t), {});
    // The mutations must exercise both paths: images that still decode, and ones refused.
    expect(tally['200']).toBeGreaterThan(0);
    expect((tally['415 undecodable_image'] ?? 0) + (tally['415 unsupported_format'] ?? 0)).toBeGreaterThan(0);
    process.stdout.write(`hostile fuzz (seed ${FUZZ_SEED.toString(16)}, ${cases.length} cases): ${JSON.stringify(tally)}\n`);
  }, 600_000);

  describe('afterwards', () => {
    it('kept answering a well-behaved client with valid predictions throughout', async () => {
      const seen = await steady.stop();
      expect(seen.length).toBeGreaterThan(10);
      expect(seen.filter((s) => s !== 200)).toEqual([]);
    });

    it('no process crashed: same gateway workers and actors, all alive and healthy', async () => {
      for (const p of [gateway, ...actors]) expect({ name: p.name, exit: p.child.exitCode, signal: p.child.signalCode }).toEqual({ name: p.name, exit: null, signal: null });
      const h = await (await fetch(`${base}/health`)).json();
      expect(h.status).toBe('ok');
      expect(h.actors.lgbm.map((a: { pid: number }) => a.pid)).toEqual([actors[0].pid]);
      expect(h.actors.clip.map((a: { pid: number }) => a.pid)).toEqual([actors[1].pid]);
      expect(gateway.output()).not.toMatch(/worker died|uncaught exception/i);
      if (procAvailable) {
        expect(workersBefore).toHaveLength(2);
        expect(childPids(gateway.pid)).toEqual(workersBefore);
        expect(workersBefore.every(isAlive)).toBe(true);
      }
    });

    it('left no upload bytes and no unfinished jobs in Redis', async () => {
      const client = new Redis(redis.url);
      try {
        let left: string[] = [];
        // the last responses' upload releases may still be in flight for a moment
        for (let i = 0; i < 30; i++) {
          left = await client.keys('cataract:upload:*');
          if (left.length === 0) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(left).toEqual([]);
        for (const q of ['lgbm', 'clip']) {
          expect({ q, wait: await client.llen(`bull:${q}:wait`), active: await client.llen(`bull:${q}:active`) }).toEqual({ q, wait: 0, active: 0 });
        }
      } finally {
        client.disconnect();
      }
    });

    it('left no temporary files (uploads stay in memory)', () => {
      expect(readdirSync(procTmp)).toEqual([]);
      // multer's disk storage would name files with 32 hex digits in the OS tmpdir
      const appeared = readdirSync(tmpdir()).filter((f) => !sharedTmpBefore.has(f) && /^[0-9a-f]{32}$/.test(f));
      expect(appeared).toEqual([]);
    });
  });
});

/** What a named case must get (a 200 body is checked against its endpoint's schema in send()). */
function expectation(c: HostileCase): Outcome {
  return c.expect.status === 200 ? { status: 200, valid: true } : { status: c.expect.status, code: c.expect.code };
}

async function send(url: string, how: Send): Promise<Outcome> {
  try {
    let status: number;
    let body: any;
    let headers: Headers;
    if ('form' in how) {
      ({ status, body, headers } = await postImage(url, how.form, { signal: AbortSignal.timeout(HANG_MS) }));
    } else {
      const res = await fetch(url, {
        method: 'POST',
        body: how.body,
        headers: how.contentType ? { 'Content-Type': how.contentType } : {},
        signal: AbortSignal.timeout(HANG_MS),
      });
      status = res.status;
      headers = res.headers;
      const text = await res.text();
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (status === 200) {
      const schema = url.endsWith('/predict_ensemble') ? EnsembleResponseSchema : PredictionResponseSchema;
      return { status, valid: schema.safeParse(body).success };
    }
    return { status, code: body?.error?.code, ...(status === 503 && { retryAfter: headers.get('retry-after') }) };
  } catch (err) {
    // the cause (ECONNRESET, other side closed, ...) says which end gave up, should this ever fail
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    const why = cause ? ` (${cause.code ?? cause.message})` : '';
    return { status: (err as Error).name === 'TimeoutError' ? 'hang' : `network error: ${(err as Error).message}${why}` };
  }
}

function errorCode(rawResponse: string): string | undefined {
  const json = rawResponse.slice(rawResponse.indexOf('\r\n\r\n') + 4);
  try {
    return JSON.parse(json.slice(json.indexOf('{'), json.lastIndexOf('}') + 1))?.error?.code;
  } catch {
    return undefined;
  }
}
