import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultVersion, listVersions, verifyVersion } from '@cataract/model-store';
import { postImage } from '@cataract/test-support/http';
import { summarize } from '@cataract/test-support/load';
import { sidecarsByRequestId, writeRetainedRecord } from '@cataract/test-support/retained-records';
import { DEFAULT_DEADLINE_MS, describeFaults, expectCleanAfter, hangs, load, ScenarioReport, sleep, useFaultCluster, warmUp } from '../faults/harness/scenario';
import { modelsCli } from '../versions/models-cli';
import { inPhase, Phase, versionViolations } from '../versions/phases';
import { cyclePhotos, trainLgbm } from './training-run';

/** Training photos per class, and uploads per class the clinics send and a clinician reviews. */
const TRAIN_PER_CLASS = 12;
const UPLOAD_PER_CLASS = 5;
/**
 * The small, fast setting: 2 folds, 1 repeat, 30 trees, 1 augmented copy. Folds of a dozen photos
 * move by several points per photo, so the cycle runs with a wide not-worse tolerance: it shows the
 * cycle; the rule itself is unit-tested (tools/test/not-worse.test.ts).
 */
const FAST = ['--folds', '2', '--repeats', '1', '--max-iterations', '30', '--copies', '1', '--min-data-in-leaf', '5'];
const WIDE = ['--tolerance-accuracy', '0.3', '--tolerance-auc', '0.3'];

/**
 * The feedback loop end to end on a real cluster (the fault tests' harness: private Redis, gateway,
 * 2 lgbm actors) serving a first version trained here: uploads are retained (SAVE_UPLOADS), a
 * clinician reviews them (POST /feedback), a candidate is trained on the training
 * photos plus the reviewed uploads, refused by a demanding --publish, published by a normal one,
 * shadowed and promoted with `npm run models`, while 2 clients upload without pause: zero failed
 * requests, and the answers name the new version once the promotion returned.
 */
describeFaults('retraining from reviewed uploads: retained, reviewed, trained, published, shadowed, promoted', {}, () => {
  const fc = useFaultCluster();
  let dir: string;
  let afterFailure: () => void = () => undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cataract-retrain-'));
  });
  afterEach(() => afterFailure());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('2 lgbm actors, 2 clients: 0 failed requests from the first upload to the promoted candidate', async () => {
    const data = join(dir, 'data');
    const store = join(dir, 'models');
    const customer = join(dir, 'customer_data');
    mkdirSync(store);
    const common = ['--data', data, '--models', store, '--candidates', join(dir, 'candidates'), '--cache-dir', join(dir, 'cache'), ...FAST];
    const { source, uploads } = await cyclePhotos(data, TRAIN_PER_CLASS, UPLOAD_PER_CLASS);

    // A first version into an empty store: nothing to compare with, published as the default.
    const first = await trainLgbm([...common, '--publish', '--set-default']);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/a first version, nothing to compare with/);
    const v1 = defaultVersion(store, 'lgbm')!;
    expect(listVersions(store, 'lgbm')).toEqual([v1]);

    const c = await fc.start({ actors: { lgbm: 2 }, requestTimeoutMs: DEFAULT_DEADLINE_MS, modelsDir: store, gatewayEnv: { SAVE_UPLOADS: 'true', CUSTOMER_DATA_DIR: customer } });
    const env = { REDIS_URL: c.redisUrl, MODELS_DIR: store };
    const base = await warmUp(c, fc.photos, [{ path: '/predict_lgbm', concurrency: 2 }]);
    const run = load(c, fc.photos, { path: '/predict_lgbm', concurrency: 2, durationMs: 900_000 });
    // A failed expectation must not leave the clients running against a stopped cluster.
    afterFailure = () => run.stop();
    const t0 = Date.now();

    // Uploads retained; a clinician reviews all but one (the last normal one stays unreviewed).
    const answered: Array<{ requestId: string; label: string; version: string }> = [];
    for (const u of uploads) {
      const r = await postImage(`${c.base}/predict_lgbm`, { field: 'file', bytes: u.bytes, type: 'image/jpeg' });
      expect(r.status).toBe(200);
      answered.push({ requestId: r.body.request_id, label: u.label, version: r.body.model_version });
    }
    expect(new Set(answered.map((a) => a.version))).toEqual(new Set([v1]));
    const reviewed = answered.slice(0, -1);
    for (const a of reviewed) {
      const fb = await fetch(`${c.base}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ request_id: a.requestId, label: a.label, note: 'checked at the slit lamp' }) });
      expect(fb.status).toBe(200);
    }
    const sidecars = sidecarsByRequestId(customer);
    expect(reviewed.map((a) => JSON.parse(readFileSync(sidecars.get(a.requestId)!, 'utf8')).review?.label)).toEqual(reviewed.map((a) => a.label));
    // A damaged record: its image is not what its sidecar recorded. Skipped and reported.
    const damaged = writeRetainedRecord(customer, uploads[0].bytes, { review: { label: 'cataract' } });
    writeFileSync(damaged.imagePath, Buffer.concat([uploads[0].bytes, Buffer.from('tail')]));

    // A demanding --publish (the candidate must gain 100 points) refuses: nothing enters the store.
    const refused = await trainLgbm([...common, '--reviewed', customer, '--publish', '--tolerance-accuracy=-1']);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toMatch(new RegExp(`not published: lgbm-\\S+ is worse than ${v1}`));
    expect(listVersions(store, 'lgbm')).toEqual([v1]);

    const trained = await trainLgbm([...common, '--reviewed', customer, '--publish', ...WIDE]);
    expect({ code: trained.code, stderr: trained.stderr }).toEqual({ code: 0, stderr: '' });
    const v2 = listVersions(store, 'lgbm').find((v) => v !== v1)!;
    expect(trained.stdout).toContain(`published lgbm ${v2}`);
    expect(defaultVersion(store, 'lgbm')).toBe(v1); // no --set-default: the operator promotes
    const { manifest } = await verifyVersion(store, 'lgbm', v2);
    const training = manifest.training as { reviewed: { used: number; unreviewed_ignored: number; duplicates_dropped: unknown[]; skipped: Array<{ sidecar: string; reason: string }> } };
    // Every reviewed upload joins, unless it repeats a training photo byte for byte (dropped and listed).
    expect(training.reviewed.used + training.reviewed.duplicates_dropped.length).toBe(reviewed.length);
    expect(training.reviewed.used).toBeGreaterThan(0);
    expect(training.reviewed.unreviewed_ignored).toBeGreaterThanOrEqual(1 + 10); // the unreviewed upload and the load's
    expect(training.reviewed.skipped).toEqual([{ sidecar: damaged.sidecarPath, reason: expect.stringMatching(/^sha256 of /) }]);
    const against = (manifest.metrics as { against_serving: { against: { version: string }; not_worse: boolean; folds: { photos: number } } }).against_serving;
    expect(against).toMatchObject({ against: { version: v1 }, not_worse: true, folds: { photos: 2 * TRAIN_PER_CLASS + training.reviewed.used } });
    expect(Object.keys(manifest.files!)).toEqual(expect.arrayContaining(['model.txt', 'reference-stats.json', 'oof-predictions.json', 'README.md']));
    const oof = JSON.parse(readFileSync(join(store, 'lgbm', v2, 'oof-predictions.json'), 'utf8')) as { predictions: Array<{ file: string }> };
    expect(oof.predictions.filter((p) => p.file.startsWith('reviewed/')).length).toBe(training.reviewed.used);

    // Shadow, then promote, with npm run models.
    const shadow = await modelsCli(['shadow', 'lgbm', v2], env);
    expect({ code: shadow.code, stderr: shadow.stderr }).toEqual({ code: 0, stderr: '' });
    const waitEnd = Date.now() + 240_000;
    let compared = 0;
    while (compared < 20) {
      if (Date.now() > waitEnd) throw new Error(`shadow compared only ${compared}`);
      const l = (await (await fetch(`${c.base}/admin/models`)).json()) as { models: Array<{ type: string; shadow?: { compared: number } }> };
      compared = l.models.find((m) => m.type === 'lgbm')?.shadow?.compared ?? 0;
      await sleep(200);
    }
    const promote = await modelsCli(['promote', 'lgbm', v2], env);
    expect({ code: promote.code, stderr: promote.stderr }).toEqual({ code: 0, stderr: '' });
    const phases: Phase[] = [
      { name: 'first version', from: t0, to: promote.start, versions: [v1] },
      { name: 'promoted', from: promote.end, to: Number.MAX_SAFE_INTEGER, versions: [v2] },
    ];
    const answersEnd = Date.now() + 120_000;
    while (run.samples.filter((s) => s.start >= promote.end).length < 50 && Date.now() < answersEnd) await sleep(100);
    run.stop();
    const samples = await run.done;

    const report: ScenarioReport = {
      scenario: 'retraining-cycle',
      setup: { actors: { lgbm: 2 }, concurrency: 2, photos: source, versions: { first: v1, candidate: v2 } },
      loads: { '/predict_lgbm': summarize(samples) },
      notes: { shadow_compared: compared, comparison: against, phases: phases.map((p) => ({ ...p, answers: inPhase(samples, p).length })) },
    };
    await expectCleanAfter(c, base, report);
    expect(summarize(samples).byOutcome).toEqual({ 200: samples.length });
    expect(hangs(samples, DEFAULT_DEADLINE_MS)).toEqual([]);
    expect(versionViolations(samples, phases)).toEqual([]);
    for (const p of phases) expect({ phase: p.name, answered: inPhase(samples, p).length > 0 }).toEqual({ phase: p.name, answered: true });
    expect(readdirSync(join(store, 'lgbm')).sort()).toEqual(['default', v1, v2].sort());
  }, 900_000);
});
