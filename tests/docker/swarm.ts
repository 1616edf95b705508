/**
 * Beyond one machine: docker-stack.yml deployed with `docker stack deploy` on a one-node swarm
 * (initialised here, left afterwards), its declared actor replicas running, and a rolling update
 * of the lgbm actors under load losing no request. The swarm publishes no port (its ingress would
 * listen on every interface): the load runs inside the gateway's container.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { docker, ROOT, sh, DOCKER, sleep } from './support/docker';
import { startInContainerLoad } from './support/in-container-load';
import { COMPOSE_IMAGE_REPO, TEST_TAG, type DockerSuite } from './support/suite';

export function swarmTests(suite: DockerSuite): void {
  describe('one-node swarm: docker stack deploy -c docker-stack.yml', () => {
    const stack = `cataractswarm${process.pid}`;
    let work: string;
    const gatewayContainer = async () => (await docker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${stack}_gateway`])).split('\n')[0];
    const healthInside = async () => {
      const id = await gatewayContainer();
      if (!id) return undefined;
      const out = await docker(['exec', id, 'node', '-e', "fetch('http://127.0.0.1:8001/health').then(r=>r.text()).then(console.log,()=>console.log('{}'))"]).catch(() => '{}');
      return JSON.parse(out) as { status?: string; actors?: Record<string, Array<{ host: string }>> };
    };
    const waitForActors = async (lgbm: number, clip: number, timeoutMs: number) => {
      const end = Date.now() + timeoutMs;
      let h: Awaited<ReturnType<typeof healthInside>>;
      while (Date.now() < end) {
        h = await healthInside();
        if (h?.status === 'ok' && h.actors?.lgbm?.length === lgbm && h.actors?.clip?.length === clip) return h;
        await sleep(2_000);
      }
      throw new Error(`swarm not ok with ${lgbm} + ${clip} actors within ${timeoutMs} ms: ${JSON.stringify(h!)?.slice(0, 400)}`);
    };

    beforeAll(async () => {
      work = mkdtempSync(path.join(tmpdir(), 'cataract-swarm-'));
      if ((await docker(['info', '--format', '{{.Swarm.LocalNodeState}}'])) !== 'active') {
        suite.resources.joinedSwarm();
        await docker(['swarm', 'init', '--advertise-addr', '127.0.0.1']);
      }
      suite.resources.stack(stack);
      // The stack as written, minus the published port (see above).
      const file = parse(readFileSync(path.join(ROOT, 'docker-stack.yml'), 'utf8'), { merge: true }) as { services: Record<string, { ports?: unknown }> };
      delete file.services.gateway.ports;
      // Strings quoted: docker reads YAML 1.1, where a bare `yes` is a boolean.
      writeFileSync(path.join(work, 'stack.yml'), stringify(file, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' }));
      const started = Date.now();
      await sh(DOCKER, ['stack', 'deploy', '-c', path.join(work, 'stack.yml'), stack], {
        env: { IMAGE: `${COMPOSE_IMAGE_REPO}:${TEST_TAG}`, REDIS_IMAGE: suite.bases.REDIS_IMAGE },
      });
      await waitForActors(2, 1, 240_000);
      suite.figures.swarmDeployToHealthyS = (Date.now() - started) / 1000;
    }, 300_000);
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    it('runs the replicas the stack declares: 2 lgbm actors and 1 clip actor, each in its own task container', async () => {
      const h = (await healthInside())!;
      expect(new Set(h.actors!.lgbm.map((a) => a.host)).size).toBe(2);
      const wanted = [`${stack}_clip-actor 1/1`, `${stack}_gateway 1/1`, `${stack}_lgbm-actor 2/2`, `${stack}_redis 1/1`];
      // Swarm counts a task as running only once its healthcheck passes; give late starters time.
      let replicas: string[] = [];
      for (const until = Date.now() + 120_000; Date.now() < until; await new Promise((r) => setTimeout(r, 2000))) {
        replicas = (await docker(['service', 'ls', '--filter', `label=com.docker.stack.namespace=${stack}`, '--format', '{{.Name}} {{.Replicas}}'])).split('\n').sort();
        if (JSON.stringify(replicas) === JSON.stringify(wanted)) break;
      }
      expect(replicas).toEqual(wanted);
    }, 180_000);

    it('a rolling update of the lgbm actors (docker service update --force) under load loses no request', async () => {
      const before = (await healthInside())!.actors!.lgbm.map((a) => a.host).sort();
      const load = await startInContainerLoad(await gatewayContainer(), '/predict_lgbm', suite.photos[0], 8);
      await sleep(3_000);
      const t = Date.now();
      await docker(['service', 'update', '--force', '--detach=false', `${stack}_lgbm-actor`], 600_000);
      suite.figures.swarmRollingUpdateS = (Date.now() - t) / 1000;
      const after = await waitForActors(2, 1, 120_000);
      await sleep(3_000);
      const result = await load.stop();
      expect(result.failed).toEqual({});
      expect(result.ok).toBeGreaterThan(50);
      const now = after.actors!.lgbm.map((a) => a.host).sort();
      expect(now.filter((h) => before.includes(h))).toEqual([]); // both tasks were replaced
    }, 700_000);
  });
}
