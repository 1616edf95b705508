/**
 * Path 1 of the guide: docker-compose with scaled actors, faults under load (scale-down, a killed
 * actor container, a Redis restart), healthchecks and memory limits, data kept across down/up, and
 * the `lb` profile with three gateways behind nginx. Ports on 127.0.0.1 only.
 */
import { startLoad, type Sample } from '@cataract/test-support/load';
import { modelsHostDir, runComposeModelCycle } from './compose-model-versions';
import { ComposeProject } from './support/compose';
import { docker, DOCKER, freePort, health, sh, sleep, waitForHealth } from './support/docker';
import { TEST_TAG, type DockerSuite } from './support/suite';

/** Container hostname of an actor id ("<host>-<pid>-<suffix>"); ensemble ids join "model:<id>" with "+". */
const hostsOf = (samples: Sample[], model: string) =>
  new Set(
    samples.flatMap((s) => (s.actorId ?? '').split('+')).filter((id) => id.startsWith(`${model}:`)).map((id) => id.slice(model.length + 1).split('-')[0]),
  );
const failures = (samples: Sample[]) => samples.filter((s) => s.status !== 200).map((s) => `${s.status ?? ''} ${s.code ?? ''}`.trim());

export function composeTests(suite: DockerSuite): void {
  describe('docker-compose, --scale clip-actor=2 --scale lgbm-actor=3', () => {
    let project: ComposeProject;
    let base: string;
    const models = modelsHostDir();
    const scale = (lgbm: number, clip: number, extra: string[] = []) =>
      project.run(['up', '-d', '--no-build', '--scale', `lgbm-actor=${lgbm}`, '--scale', `clip-actor=${clip}`, ...extra]);

    beforeAll(async () => {
      const port = await freePort();
      project = new ComposeProject(`cataracttest${process.pid}`, {
        ...suite.bases,
        IMAGE_TAG: TEST_TAG,
        // Two workers per gateway: up to three gateways share the two cores of a CI machine.
        GATEWAY_WORKERS: '2',
        GATEWAY_PORTS: `127.0.0.1:${port}:8001`,
        LB_PORT: `127.0.0.1:${await freePort()}`,
        MODELS_HOST_DIR: models.dir,
      });
      suite.resources.project(project.name, project.env);
      base = `http://127.0.0.1:${port}`;
      const started = Date.now();
      await scale(3, 2);
      // Bounds in this file tell a hang from a slow start on a busy machine; durations are figures.
      await waitForHealth(base, 300_000, (h) => h.status === 'ok' && h.actors.lgbm?.length === 3 && h.actors.clip?.length === 2);
      suite.figures.composeUpToHealthyS = (Date.now() - started) / 1000;
    }, 360_000);
    // Not left running beside the next scenarios (the suite's cleanup repeats it should this fail).
    afterAll(async () => {
      await project?.run(['--profile', 'lb', 'down', '-v', '--remove-orphans', '--timeout', '10']).catch(() => undefined);
      models.remove();
    }, 180_000);

    it('/health lists 3 lgbm + 2 clip actors, each on its own container host', async () => {
      const h = (await health(base))!;
      for (const [model, service, n] of [['lgbm', 'lgbm-actor', 3], ['clip', 'clip-actor', 2]] as const) {
        const hosts = h.actors[model].map((a) => a.host).sort();
        expect(new Set(hosts).size).toBe(n);
        expect(hosts).toEqual(await project.containers(service));
      }
      expect(h.ray_workers_available).toBe(5);
    });

    it("every service's healthcheck turns healthy", async () => {
      let states = await project.states();
      for (let i = 0; i < 60 && [...states.values()].some((s) => s.health !== 'healthy'); i++, await sleep(2_000)) states = await project.states();
      expect([...states.values()].map((s) => `${s.service} ${s.health}`).filter((s) => !s.endsWith(' healthy'))).toEqual([]);
      expect(states.size).toBe(7); // redis, gateway, 3 + 2 actors
    }, 150_000);

    it('answers come from actors in several containers', async () => {
      const load = startLoad({ base, path: '/predict_ensemble', photos: suite.photos, concurrency: 8, durationMs: 6_000, clientTimeoutMs: 30_000 });
      const samples = await load.done;
      expect(failures(samples)).toEqual([]);
      expect(hostsOf(samples, 'lgbm').size).toBeGreaterThanOrEqual(2);
      expect(hostsOf(samples, 'clip').size).toBe(2);
    }, 60_000);

    it('a version copied into the mounted models folder is validated, promoted and rolled back through /admin/models under load: 0 failed, answers as the state says', async () => {
      const r = await runComposeModelCycle(base, models.dir, suite.photos);
      expect(r.commands).toEqual({ validate: 200, promote: 200, rollback: 200 });
      expect(r.failures).toEqual([]);
      expect(r.violations).toEqual([]);
      expect(r.servingAfterPromote).toEqual([r.next, r.next, r.next]);
      for (const phase of ['default', 'promoted', 'rolled back']) expect([phase, r.answered[phase] > 10]).toEqual([phase, true]);
    }, 240_000);

    it('under load: lgbm 3 -> 1 and docker kill of a clip actor lose nothing; a Redis restart gives only 503 + Retry-After; nothing else restarts', async () => {
      const before = await project.states();
      const load = startLoad({ base, path: '/predict_ensemble', photos: suite.photos, concurrency: 12, durationMs: 120_000, clientTimeoutMs: 30_000 });
      await sleep(4_000);
      await scale(1, 2);
      await sleep(3_000);
      const victim = (await project.containers('clip-actor'))[0];
      await docker(['kill', victim]);
      await sleep(10_000);
      const mark = load.samples.length;
      const redis = (await project.containers('redis'))[0];
      const restartAt = Date.now();
      await docker(['restart', redis]);
      await waitForHealth(base, 60_000);
      await sleep(4_000);
      load.stop();
      const samples = await load.done;
      const early = samples.slice(0, mark);
      expect(early.length).toBeGreaterThan(50);
      expect(failures(early)).toEqual([]);
      const late = samples.slice(mark);
      expect(late.filter((s) => s.status !== 200 && !(s.status === 503 && s.retryAfter && s.end >= restartAt)).map((s) => `${s.status} ${s.code}`)).toEqual([]);
      expect(late.filter((s) => s.status === 200).length).toBeGreaterThan(10);
      // nothing restarted but what the test stopped, killed or restarted
      const after = await project.states();
      const untouched = [...before].filter(([id, s]) => id !== victim && id !== redis && after.has(id) && s.service !== 'lgbm-actor');
      expect(untouched.length).toBeGreaterThanOrEqual(2); // the gateway and the other clip actor
      for (const [id, s] of untouched) expect([s.service, after.get(id)!.startedAt, after.get(id)!.restarts]).toEqual([s.service, s.startedAt, 0]);
    }, 240_000);

    it('docker stats: every container under its memory limit, the declared limits applied', async () => {
      const ids = await project.containers();
      const out = await docker(['stats', '--no-stream', '--format', '{{.ID}} {{.MemUsage}}', ...ids], 60_000);
      const bytes = (v: string) => {
        const m = /^([\d.]+)([KMGT]?i?B)$/.exec(v)!;
        return Number(m[1]) * ({ B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40, kB: 1e3, MB: 1e6, GB: 1e9 } as Record<string, number>)[m[2]];
      };
      const states = await project.states();
      const limits: Record<string, number> = { redis: 2 ** 30, gateway: 4 * 2 ** 30, 'clip-actor': 2 * 2 ** 30, 'lgbm-actor': 2 ** 30 };
      for (const line of out.split('\n')) {
        const [id, used, , limit] = line.split(/\s+/);
        const service = states.get(id.slice(0, 12))!.service;
        expect([service, bytes(used) < bytes(limit)]).toEqual([service, true]);
        expect([service, bytes(limit)]).toEqual([service, limits[service]]);
      }
    }, 90_000);

    it('down then up keeps the retained uploads and Redis data (AOF)', async () => {
      const gateway = async () => (await project.containers('gateway'))[0];
      const countUploads = async () => Number(await docker(['exec', await gateway(), 'sh', '-c', 'find /app/customer_data -type f | wc -l']));
      const kept = await countUploads();
      expect(kept).toBeGreaterThan(0);
      const marker = `marker-${Date.now()}`;
      const redisCli = async (...args: string[]) => docker(['exec', (await project.containers('redis'))[0], 'redis-cli', ...args]);
      expect(await redisCli('SET', 'cataract:docker-test:marker', marker)).toBe('OK');
      await sleep(1_500); // appendfsync everysec
      await project.run(['down', '--timeout', '20']);
      expect(await project.containers()).toEqual([]);
      const restarted = Date.now();
      await scale(1, 1);
      await waitForHealth(base, 300_000);
      suite.figures.composeDownUpToHealthyS = (Date.now() - restarted) / 1000;
      expect(await redisCli('GET', 'cataract:docker-test:marker')).toBe(marker);
      expect(await countUploads()).toBe(kept);
    }, 420_000);

    it('lb profile: three gateways behind nginx share the requests; killing one costs < 1 %', async () => {
      const lbEnv = { GATEWAY_PORTS: '127.0.0.1::8001', TRUST_PROXY: '172.16.255.2' }; // nginx's address on the edge network
      const scaled = ['--scale', 'gateway=3', '--scale', 'lgbm-actor=1', '--scale', 'clip-actor=1'];
      // The gateways first, until each one's healthcheck passes; then nginx, which depends on them.
      await project.run(['up', '-d', '--no-build', ...scaled], lbEnv);
      const gateways = await project.containers('gateway');
      expect(gateways).toHaveLength(3);
      for (const g of gateways) await waitForGatewayHealthy(g);
      // nginx's port is chosen now: the gateways' ephemeral host ports come from the same range.
      project.env.LB_PORT = `127.0.0.1:${await freePort()}`;
      await project.run(['--profile', 'lb', 'up', '-d', '--no-build', ...scaled], lbEnv);
      const lb = `http://${project.env.LB_PORT}`;
      await waitForHealth(lb, 60_000);
      const since = new Date().toISOString();
      const spread = await startLoad({ base: lb, path: '/predict_lgbm', photos: suite.photos, concurrency: 6, durationMs: 8_000, clientTimeoutMs: 30_000 }).done;
      expect(failures(spread)).toEqual([]);
      for (const g of gateways) {
        const { stdout } = await sh(DOCKER, ['logs', '--since', since, g]);
        expect([g, (stdout.match(/"url":"\/predict_lgbm"/g) ?? []).length > 0]).toEqual([g, true]);
      }
      const load = startLoad({ base: lb, path: '/predict_lgbm', photos: suite.photos, concurrency: 8, durationMs: 30_000, clientTimeoutMs: 30_000 });
      await sleep(8_000);
      await docker(['kill', gateways[0]]);
      const samples = await load.done;
      expect(samples.length).toBeGreaterThan(100);
      const failed = failures(samples);
      expect({ share: failed.length / samples.length < 0.01, failed }).toEqual({ share: true, failed });
    }, 600_000);
  });
}

/** The container's own healthcheck (its gateway's /health) reports healthy. */
async function waitForGatewayHealthy(id: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if ((await docker(['inspect', '-f', '{{.State.Health.Status}}', id])) === 'healthy') return;
    await sleep(2_000);
  }
  throw new Error(`gateway container ${id} not healthy within 300 s`);
}
