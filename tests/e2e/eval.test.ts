import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { postImage } from '@cataract/test-support/http';
import { sharedPhotos, sharedPhotosAvailable } from '@cataract/test-support/photos';
import { freePort } from '@cataract/test-support/ports';
import { assertBuilt, ManagedProcess, REPO_ROOT, spawnActor, spawnGateway, waitForHealth } from '@cataract/test-support/processes';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';

const EVAL_MAIN = resolve(REPO_ROOT, 'tools/dist/eval.js');
const MODELS_DIR = resolve(REPO_ROOT, 'models');
const reason = !sharedPhotosAvailable() ? 'skipped: ../shared photos absent' : !redisServerAvailable() ? 'skipped: redis-server not on PATH' : '';
const maybe = reason === '' ? describe : describe.skip;

interface EvalJson {
  service: string;
  skipped: Array<{ file: string; reason: string }>;
  sections: Array<{
    title: string;
    photos: number;
    asSent: { accuracy: { mean: number }; confusion: { tp: number; fp: number; tn: number; fn: number } };
    variants: Array<{ title: string; labelChanged: { mean: number } }>;
    photos_answers: Array<{ file: string; label: string; answers: Record<string, Array<{ label: string; p: number }>> }>;
  }>;
}

/** Runs the built eval CLI to completion: exit code, stdout, stderr. */
function runEval(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [EVAL_MAIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => res({ code, stdout, stderr }));
  });
}

/**
 * `npm run eval` against the real processes serving the repository's models, over a temporary
 * labelled folder of symlinks to a few ../shared photos plus one file that is not an image.
 */
maybe(`e2e: npm run eval over a labelled folder ${reason || '(real models, 2 photos per class)'}`, () => {
  let redis: RedisServer;
  let base: string;
  let procs: ManagedProcess[] = [];
  let dir: string;
  const photos = sharedPhotos(2);

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), 'cataract-eval-'));
    for (const label of ['cataract', 'normal']) mkdirSync(join(dir, label));
    for (const p of photos) symlinkSync(p.path, join(dir, p.label, p.path.split('/').pop()!));
    writeFileSync(join(dir, 'normal', 'broken.jpg'), 'this is not an image');
    redis = await startRedis();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const common = { REDIS_URL: redis.url, MODELS_DIR };
    procs = [spawnActor('lgbm', common), spawnActor('clip', common), spawnGateway({ ...common, PORT: String(port), HOST: '127.0.0.1', SERVED_MODELS: 'lgbm,clip', GATEWAY_WORKERS: '1' })];
    await waitForHealth(base, (h) => h.status === 'ok' && h.actors.clip?.length === 1 && h.actors.lgbm?.length === 1, { processes: procs, timeoutMs: 90_000 });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('--url: every route over every form; figures agree with the answers; the non-image is left out with its reason', async () => {
    const out = join(dir, 'report.json');
    const r = await runEval([dir, '--url', base, '--json', out, '--concurrency', '2']);
    expect({ code: r.code, stderr: r.stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });
    const report = JSON.parse(readFileSync(out, 'utf8')) as EvalJson;
    expect(report.skipped).toEqual([{ file: 'normal/broken.jpg', reason: expect.stringMatching(/HTTP 415/) }]);
    expect(r.stdout).toContain('left out (refused or unreadable): normal/broken.jpg');
    expect(report.sections.map((s) => s.title)).toEqual(['/predict_lgbm', '/predict_clip', '/predict_ensemble']);
    for (const s of report.sections) {
      expect(s.photos).toBe(photos.length);
      expect(s.variants.map((v) => v.title)).toEqual(['PNG', 'JPEG q90', 'half size']);
      const c = s.asSent.confusion;
      expect(c.tp + c.fp + c.tn + c.fn).toBe(photos.length);
      const right = s.photos_answers.filter((a) => a.answers['as sent'][0].label === a.label).length;
      expect(s.asSent.accuracy.mean).toBeCloseTo(right / photos.length, 12);
      const changed = s.photos_answers.filter((a) => a.answers['half size'][0].label !== a.answers['as sent'][0].label).length;
      expect(s.variants[2].labelChanged.mean).toBeCloseTo(changed / photos.length, 12);
      expect(r.stdout).toContain(`${s.title}: ${photos.length} photos`);
    }
    // The answers are the service's own: the same photo posted directly, as sent and halved.
    const lgbm = report.sections[0];
    const first = photos[0];
    const mine = lgbm.photos_answers.find((a) => first.path.endsWith(a.file))!;
    const direct = await postImage(`${base}/predict_lgbm`, { field: 'file', bytes: first.bytes, type: 'image/jpeg' });
    expect(mine.answers['as sent'][0].p).toBe(direct.body.probabilities.cataract);
    const meta = await sharp(first.bytes).metadata();
    const half = await sharp(first.bytes).rotate().resize({ width: Math.round(meta.width! / 2) }).png().toBuffer();
    const directHalf = await postImage(`${base}/predict_lgbm`, { field: 'file', bytes: half, type: 'image/png', filename: 'photo.png' });
    expect(mine.answers['half size'][0].p).toBe(directHalf.body.probabilities.cataract);
  }, 180_000);

  it('without --url it starts the service itself and stops it afterwards', async () => {
    const r = await runEval([dir, '--routes', 'lgbm', '--variants', 'jpeg90', '--json', join(dir, 'self.json')]);
    expect({ code: r.code, stderr: r.stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.stringContaining('service ready at') });
    const own = /service ready at (\S+)/.exec(r.stderr)![1];
    expect(own).not.toBe(base);
    const report = JSON.parse(readFileSync(join(dir, 'self.json'), 'utf8')) as EvalJson;
    expect(report.service).toBe('started by the eval');
    expect(report.sections.map((s) => [s.title, s.photos, s.variants.map((v) => v.title)])).toEqual([['/predict_lgbm', photos.length, ['JPEG q90']]]);
    // Same models, same answers as the cluster above.
    const viaCluster = await postImage(`${base}/predict_lgbm`, { field: 'file', bytes: photos[0].bytes, type: 'image/jpeg' });
    const first = report.sections[0].photos_answers.find((a) => photos[0].path.endsWith(a.file))!;
    expect(first.answers['as sent'][0].p).toBe(viaCluster.body.probabilities.cataract);
    await expect(fetch(`${own}/health`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  }, 240_000);
});
