import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DriftStatus, DriftStatusSchema } from '@cataract/contracts';
import { buildReferenceStats, inputStatsOfImage, LGBM_STATS_VIEW, REFERENCE_STATS_FILE, renderSampleEyePhotos } from '@cataract/imaging';
import sharp from 'sharp';
import { startCluster, TestCluster } from '@cataract/test-support/cluster';
import { postImage } from '@cataract/test-support/http';
import { LgbmFixture, writeLgbmFixture } from '@cataract/test-support/models';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';

const maybe = redisServerAvailable() ? describe : describe.skip;
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The fixture version ships reference statistics of the rendered eyes, listed in its manifest as a published version's are. */
async function addReference(fx: LgbmFixture, photos: Buffer[]): Promise<void> {
  const dir = join(fx.modelsDir, 'lgbm');
  const samples = await Promise.all(photos.map((p) => inputStatsOfImage(p, LGBM_STATS_VIEW)));
  const ref = `${JSON.stringify(buildReferenceStats(samples, LGBM_STATS_VIEW, { photos: 'rendered sample eyes' }))}\n`;
  writeFileSync(join(dir, REFERENCE_STATS_FILE), ref);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  manifest.files = { [manifest.file]: manifest.sha256, [REFERENCE_STATS_FILE]: sha256(ref) };
  manifest.training = { photos: { cataract: 1, normal: 1 } };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

maybe('e2e: GET /drift_status over a real cluster (2 HTTP workers, a real lgbm actor)', () => {
  let redis: RedisServer;
  let fx: LgbmFixture;
  let cluster: TestCluster;
  let eyes: Buffer[];

  const drift = async (query = ''): Promise<{ status: number; body: any }> => {
    const r = await fetch(`${cluster.base}/drift_status${query}`);
    return { status: r.status, body: await r.json() };
  };
  /** The report once `ready` holds (each HTTP worker reuses a report for 2 s). */
  const reportWhen = async (ready: (r: DriftStatus) => boolean): Promise<DriftStatus> => {
    let last: unknown;
    for (let i = 0; i < 60; i++) {
      const r = await drift();
      expect(r.status).toBe(200);
      const report = DriftStatusSchema.parse(r.body);
      if (ready(report)) return report;
      last = r.body;
      await new Promise((res) => setTimeout(res, 250));
    }
    throw new Error(`the drift report never got there: ${JSON.stringify(last).slice(0, 2000)}`);
  };
  const served = (r: DriftStatus) => r.models.lgbm!.versions.find((v) => v.version === fx.version)!;

  beforeAll(async () => {
    redis = await startRedis();
    fx = writeLgbmFixture();
    eyes = await renderSampleEyePhotos();
    await addReference(fx, eyes);
    cluster = await startCluster({ redisUrl: redis.url, modelsDir: fx.modelsDir, actors: 1, gatewayEnv: { GATEWAY_WARMUP_REQUESTS: '0', DRIFT_MIN_ANSWERS: '8' } });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    fx?.remove();
    await redis?.stop();
  });

  it('before any answer: 200 ok, the serving version with its reference, nothing counted (what ../shared/checks/feedback-loop reads)', async () => {
    const r = await drift();
    expect(r.status).toBe(200);
    const report = DriftStatusSchema.parse(r.body);
    expect(report).toMatchObject({ status: 'ok', monitoring: true, window: { answers: 1000, hours: 24 } });
    expect(report.models.lgbm).toMatchObject({ serving_version: fx.version });
    expect(served(report)).toMatchObject({ serving: true, answers: 0, input: { samples: 0, reference: { available: true, samples: eyes.length } } });
  });

  it('answers move the counts through every HTTP worker, with the input statistics the actor measured', async () => {
    for (const eye of [...eyes, ...eyes]) expect((await postImage(`${cluster.base}/predict_lgbm`, { field: 'file', bytes: eye })).status).toBe(200);
    const report = await reportWhen((r) => served(r).answers >= 2 * eyes.length);
    const v = served(report);
    expect(v.answers).toBe(2 * eyes.length);
    expect(v.input.samples).toBe(2 * eyes.length);
    expect(v.positive_rate).not.toBeNull();
    // the same photos as the reference: every statistic's PSI is small
    for (const psi of Object.values(v.input.psi)) expect(psi).toBeLessThan(0.1);
    expect(v.checks.psi).toBe('ok');
    const metrics = await (await fetch(`${cluster.base}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^cataract_drift_answers\\{model="lgbm",version="${fx.version}",serving="true"\\} ${2 * eyes.length}$`, 'm'));
    expect(metrics).toMatch(/^cataract_drift_psi\{model="lgbm",version="[^"]+",serving="true",statistic="brightness"\} [\d.e-]+$/m);
  });

  it('much brighter, larger photos than the reference: brightness and size drift, the status says alert and why', async () => {
    const glare = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: 250, g: 248, b: 245 } } }).jpeg().toBuffer();
    const before = served(await reportWhen(() => true)).answers;
    for (let i = 0; i < 3 * eyes.length; i++) expect((await postImage(`${cluster.base}/predict_lgbm`, { field: 'file', bytes: glare })).status).toBe(200);
    const report = await reportWhen((r) => served(r).answers >= before + 3 * eyes.length);
    const v = served(report);
    expect(v.input.psi.brightness).toBeGreaterThan(0.25);
    expect(v.input.psi.long_side).toBeGreaterThan(0.25);
    expect(v.input.mean.long_side).toBeGreaterThan(1000);
    expect(report.status).toBe('alert');
    expect(report.reasons.join('\n')).toContain(`lgbm ${fx.version}: input statistics PSI`);
    expect(await (await fetch(`${cluster.base}/metrics`)).text()).toMatch(/^cataract_drift_status 2$/m);
  });

  it('bad query parameters: 400 bad_request with a request id, and nothing else happens', async () => {
    for (const q of ['?model=resnet', '?since=1h', '?model=lgbm&model=clip']) {
      const r = await drift(q);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: { code: 'bad_request', message: expect.stringContaining('model=lgbm|clip') }, request_id: expect.any(String) });
    }
    expect((await drift('?model=lgbm')).status).toBe(200);
  });
});
