import { freePort } from './ports';
import { actorCount, assertBuilt, HealthBody, ManagedProcess, spawnActor, spawnGateway, waitForHealth } from './processes';

export interface TestCluster {
  base: string;
  port: number;
  gateway: ManagedProcess;
  actors: ManagedProcess[];
  /** Start one more lgbm actor and wait until /health lists it. */
  addActor(env?: Record<string, string>): Promise<ManagedProcess>;
  health(): Promise<HealthBody>;
  /** Stop everything started here (gateway and actors), gracefully then forcefully. */
  stop(): Promise<void>;
  /** Recent output of every process, for failure messages. */
  logs(): string;
}

export interface ClusterOptions {
  redisUrl: string;
  modelsDir: string;
  actors?: number;
  gatewayEnv?: Record<string, string>;
  actorEnv?: Record<string, string>;
}

/**
 * The real processes as `npm start` runs them (gateway cluster with GATEWAY_WORKERS=2 and lgbm
 * actors), against a given Redis and MODELS_DIR; resolves once /health reports every actor.
 */
export async function startCluster(opts: ClusterOptions): Promise<TestCluster> {
  assertBuilt();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const common = { REDIS_URL: opts.redisUrl, MODELS_DIR: opts.modelsDir };
  // with credentials configured, /health lists the actors to an operator only
  const admin = opts.gatewayEnv?.ADMIN_KEYS?.split(',')[0].trim();
  const headers: Record<string, string> = admin ? { 'X-API-Key': admin } : {};
  const actors: ManagedProcess[] = [];
  const spawnOne = () => {
    const a = spawnActor('lgbm', { ...common, ...opts.actorEnv });
    actors.push(a);
    return a;
  };
  for (let i = 0; i < (opts.actors ?? 1); i++) spawnOne();
  const gateway = spawnGateway({ ...common, PORT: String(port), HOST: '127.0.0.1', SERVED_MODELS: 'lgbm', ...opts.gatewayEnv });
  const all = () => [gateway, ...actors];
  const live = () => actors.filter((a) => a.child.exitCode === null && a.child.signalCode === null);
  const cluster: TestCluster = {
    base,
    port,
    gateway,
    actors,
    async addActor(env = {}) {
      const a = spawnActor('lgbm', { ...common, ...opts.actorEnv, ...env });
      actors.push(a);
      await waitForHealth(base, (h) => (h.actors.lgbm ?? []).some((x) => x.pid === a.pid), { processes: [gateway, a], timeoutMs: 60000, headers });
      return a;
    },
    async health() {
      return (await fetch(`${base}/health`, { headers })).json() as Promise<HealthBody>;
    },
    async stop() {
      await Promise.all(all().map((p) => p.stop()));
    },
    logs: () => all().map((p) => `--- ${p.name} (${p.pid})\n${p.output().slice(-4000)}`).join('\n'),
  };
  try {
    await waitForHealth(base, (h) => h.status === 'ok' && actorCount(h) === live().length, { processes: all(), timeoutMs: 90000, headers });
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}
