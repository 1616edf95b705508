/**
 * The guide's one-container path as written: `docker run -d -p 8001:8001 -v models -v logs
 * -v customer_data --memory=4g --cpus=2.0 cataract-api` (published on 127.0.0.1 only), and the
 * set-up mistakes that must be named rather than leave the service silently degraded.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLoad } from '@cataract/test-support/load';
import { docker, DOCKER, freePort, predict, ROOT, sh, sleep, waitForHealth } from './support/docker';
import type { DockerSuite } from './support/suite';

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(full) : [full];
  });
}

export function singleContainerTests(suite: DockerSuite): void {
  describe("one container, the guide's docker run", () => {
    let work: string;
    let name: string;
    let base: string;

    beforeAll(async () => {
      work = mkdtempSync(path.join(tmpdir(), 'cataract-docker-single-'));
      const port = await freePort();
      name = suite.resources.container(`cataract-test-single-${process.pid}`);
      const started = Date.now();
      // logs/ and customer_data/ do not exist yet: Docker creates them owned by root, as for a new user.
      await docker([
        ...['run', '-d', '--name', name, '-p', `127.0.0.1:${port}:8001`],
        ...['-v', `${ROOT}/models:/app/models`, '-v', `${work}/logs:/app/logs`, '-v', `${work}/customer_data:/app/customer_data`],
        ...['--memory=4g', '--cpus=2.0', suite.image],
      ]);
      base = `http://127.0.0.1:${port}`;
      // The bound only tells a hang from a slow start; the time it took is a figure, not a verdict.
      await waitForHealth(base, 300_000);
      suite.figures.singleStartToHealthyS = (Date.now() - started) / 1000;
    }, 330_000);
    afterAll(async () => {
      await docker(['rm', '-f', name]).catch(() => undefined);
      rmSync(work, { recursive: true, force: true });
    });

    it('is healthy: lgbm actors for its 2 CPUs (the quota), one clip actor, ray_workers_available', async () => {
      const { health } = await waitForHealth(base, 5_000);
      expect(health!.actors.lgbm).toHaveLength(2);
      expect(health!.actors.clip).toHaveLength(1);
      expect(health!.ray_workers_available).toBe(3);
      expect(health!.ray_workers_available).toBe(health!.actors_available);
      expect(health!.problems).toBeUndefined();
    });

    it('answers the three predict routes, each with the original ISO 8601 timestamp', async () => {
      for (const route of ['/predict_lgbm', '/predict_clip', '/predict_ensemble']) {
        const { status, body } = await predict(base, route, suite.photos[0]);
        expect([route, status]).toEqual([route, 200]);
        expect(['cataract', 'normal']).toContain(body.prediction);
        expect(new Date(String(body.timestamp)).toISOString()).toBe(body.timestamp);
      }
    });

    it('keeps each upload and its sidecar in the mounted customer_data, and logs in the mounted logs, owned by a non-root user', async () => {
      let kept: string[] = [];
      for (let i = 0; i < 20 && kept.filter((f) => f.endsWith('.json')).length < 3; i++, await sleep(250)) kept = filesUnder(`${work}/customer_data`);
      expect(kept.filter((f) => f.endsWith('.json')).length).toBeGreaterThanOrEqual(3);
      expect(kept.filter((f) => !f.endsWith('.json')).length).toBeGreaterThanOrEqual(3);
      const logs = filesUnder(`${work}/logs`);
      expect(logs.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['gateway.log']));
      const owners = new Set([...kept, ...logs].map((f) => statSync(f).uid));
      expect(owners.has(0)).toBe(false);
    });

    it('docker stop under load: every request in flight is answered 200, and the container exits 0', async () => {
      const load = startLoad({ base, path: '/predict_lgbm', photos: suite.photos, concurrency: 8, durationMs: 60_000, clientTimeoutMs: 30_000 });
      await sleep(4_000);
      load.stop(); // no new requests; those in flight must all be answered while the container stops
      const stopped = docker(['stop', name], 60_000);
      const samples = await load.done;
      await stopped;
      expect(samples.length).toBeGreaterThan(10);
      expect(samples.filter((s) => s.status !== 200).map((s) => `${s.status ?? s.code}`)).toEqual([]);
      expect(await docker(['inspect', '-f', '{{.State.ExitCode}}', name])).toBe('0');
    }, 90_000);
  });

  describe('one container, bad set-ups are named in the log and in /health', () => {
    let work: string;
    let name: string;

    beforeAll(() => {
      work = mkdtempSync(path.join(tmpdir(), 'cataract-docker-bad-'));
      for (const d of ['models', 'logs', 'customer_data']) mkdirSync(path.join(work, d));
      chmodSync(work, 0o755);
    });
    afterAll(async () => {
      if (name) await docker(['rm', '-f', name]).catch(() => undefined); // not left running beside the next scenarios
      rmSync(work, { recursive: true, force: true });
    });

    it('an empty models folder, read-only log and upload folders and a REDIS_URL that never answers: each named', async () => {
      const port = await freePort();
      name = suite.resources.container(`cataract-test-bad-${process.pid}`);
      await docker([
        ...['run', '-d', '--name', name, '-p', `127.0.0.1:${port}:8001`, '-e', 'REDIS_URL=redis://127.0.0.1:1'],
        ...['-v', `${work}/models:/app/models`, '-v', `${work}/logs:/app/logs:ro`, '-v', `${work}/customer_data:/app/customer_data:ro`],
        suite.image,
      ]);
      const base = `http://127.0.0.1:${port}`;
      const { health } = await waitForHealth(base, 150_000, (h) => (h.problems?.length ?? 0) >= 5);
      expect(health!.status).toBe('degraded');
      const problems = health!.problems!.join('\n');
      expect(problems).toMatch(/model lgbm not served: no \/app\/models\/lgbm\/default and no \/app\/models\/lgbm\/manifest\.json.*init-models/);
      expect(problems).toMatch(/model clip not served/);
      expect(problems).toMatch(/LOG_DIR \/app\/logs is not writable by uid 1000/);
      expect(problems).toMatch(/CUSTOMER_DATA_DIR \/app\/customer_data is not writable by uid 1000/);
      expect(problems).toMatch(/Redis at redis:\/\/127\.0\.0\.1:1\/? \(REDIS_URL\) does not answer/);
      const { stdout, stderr } = await sh(DOCKER, ['logs', name]); // the container's stdout and stderr
      const log = stdout + stderr;
      expect(log).toMatch(/set-up problem: model lgbm not served/);
      expect(log).toMatch(/set-up problem: LOG_DIR/);
      expect(log).toMatch(/no Redis answers at REDIS_URL/);
    }, 180_000);

    it('init-models copies the image\'s own models into the empty folder', async () => {
      await docker(['run', '--rm', '-v', `${work}/models:/app/models`, suite.image, 'init-models']);
      for (const type of ['lgbm', 'clip']) expect(existsSync(path.join(work, 'models', type, 'default'))).toBe(true); // the versioned store's fallback names the version to serve
    });
  });
}
