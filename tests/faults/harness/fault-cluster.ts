import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ModelType } from '@cataract/contracts';
import { typesWithModels } from '@cataract/model-store';
import { freePort } from '@cataract/test-support/ports';
import { childPids, isAlive } from '@cataract/test-support/proc-inspect';
import { ACTOR_MAIN, assertBuilt, GATEWAY_MAIN, HealthBody, ManagedProcess, REPO_ROOT, spawnNode, waitForHealth } from '@cataract/test-support/processes';
import { RedisServer, startRedis } from '@cataract/test-support/redis';

/** The repository's real models (what `npm start` serves). */
export const REAL_MODELS_DIR = join(REPO_ROOT, 'models');

export function realModelPresent(model: ModelType): boolean {
  return typesWithModels(REAL_MODELS_DIR).includes(model);
}

export interface FaultClusterOptions {
  actors: Partial<Record<ModelType, number>>;
  gatewayWorkers?: number;
  requestTimeoutMs: number;
  modelsDir?: string;
  gatewayEnv?: Record<string, string>;
  actorEnv?: Record<string, string>;
}

export interface ActorProcess extends ManagedProcess {
  readonly model: ModelType;
}

/**
 * The real processes of one fault scenario: a private redis-server, the gateway (node:cluster
 * primary + workers) and model actors, all spawned from the built dist/ with a unique marker in
 * their command line and environment, so that afterwards a scan of /proc can prove none is left.
 */
export class FaultCluster {
  readonly marker = `faultrun-${process.pid}-${randomBytes(4).toString('hex')}`;
  readonly base: string;
  readonly actors: ActorProcess[] = [];
  gateway!: ManagedProcess;
  private redisServer!: RedisServer;

  private constructor(
    readonly port: number,
    readonly opts: FaultClusterOptions,
  ) {
    this.base = `http://127.0.0.1:${port}`;
  }

  static async start(opts: FaultClusterOptions): Promise<FaultCluster> {
    assertBuilt();
    const c = new FaultCluster(await freePort(), opts);
    c.redisServer = await startRedis();
    try {
      for (const [model, n] of Object.entries(opts.actors) as Array<[ModelType, number]>) {
        for (let i = 0; i < n; i++) c.spawnActor(model);
      }
      const served = (Object.entries(opts.actors) as Array<[ModelType, number]>).map(([m]) => m);
      c.gateway = spawnNode('gateway', GATEWAY_MAIN, [c.markerArg], {
        ...c.commonEnv(),
        PORT: String(c.port),
        HOST: '127.0.0.1',
        GATEWAY_WORKERS: String(opts.gatewayWorkers ?? 2),
        REQUEST_TIMEOUT_MS: String(opts.requestTimeoutMs),
        SERVED_MODELS: served.join(','),
        ...opts.gatewayEnv,
      });
      await waitForHealth(
        c.base,
        (h) => h.status === 'ok' && served.every((m) => (h.actors[m] ?? []).length === opts.actors[m]),
        { processes: c.processes(), timeoutMs: 120_000 },
      );
      await c.waitForWorkers(opts.gatewayWorkers ?? 2);
    } catch (err) {
      await c.stop();
      throw err;
    }
    return c;
  }

  get redisUrl(): string {
    return this.redisServer.url;
  }

  get redisPid(): number {
    return this.redisServer.pid;
  }

  private get markerArg(): string {
    return `--fault-run=${this.marker}`;
  }

  private commonEnv(): Record<string, string> {
    return { REDIS_URL: this.redisServer.url, MODELS_DIR: this.opts.modelsDir ?? REAL_MODELS_DIR, FAULT_RUN_MARKER: this.marker };
  }

  private spawnActor(model: ModelType, env: Record<string, string> = {}): ActorProcess {
    // The actor ignores arguments other than --model; the marker only makes the process findable.
    const p = spawnNode(`actor-${model}`, ACTOR_MAIN, ['--model', model, this.markerArg], { ...this.commonEnv(), ...this.opts.actorEnv, ...env });
    const a = Object.assign(p, { model });
    this.actors.push(a);
    return a;
  }

  /** Starts one more actor and resolves once /health lists it. */
  async addActor(model: ModelType, env: Record<string, string> = {}): Promise<ActorProcess> {
    const a = this.spawnActor(model, env);
    await waitForHealth(this.base, (h) => (h.actors[model] ?? []).some((x) => x.pid === a.pid), {
      processes: [this.gateway, a],
      timeoutMs: 90_000,
    });
    return a;
  }

  liveActors(model?: ModelType): ActorProcess[] {
    return this.actors.filter((a) => (model === undefined || a.model === model) && a.child.exitCode === null && a.child.signalCode === null);
  }

  /** Pids of the gateway's HTTP workers (children of the cluster primary). */
  gatewayWorkers(): number[] {
    return childPids(this.gateway.pid).sort((a, b) => a - b);
  }

  async waitForWorkers(n: number, timeoutMs = 60_000): Promise<number[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const w = this.gatewayWorkers();
      if (w.length === n) return w;
      if (Date.now() > end) throw new Error(`gateway has ${w.length} workers, expected ${n}\n${this.logs()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async health(): Promise<HealthBody> {
    return (await fetch(`${this.base}/health`)).json() as Promise<HealthBody>;
  }

  /** Stops Redis (SIGTERM; no persistence, so it comes back empty). */
  async stopRedis(): Promise<void> {
    await this.redisServer.stop();
  }

  /** Starts Redis again on the same port. */
  async restartRedis(): Promise<void> {
    this.redisServer = await startRedis({ port: this.redisServer.port });
  }

  /** Every process started here (gateway and every actor, live or not). */
  processes(): ManagedProcess[] {
    return [...(this.gateway ? [this.gateway] : []), ...this.actors];
  }

  /** Stops everything (gracefully, then by force) including Redis. */
  async stop(): Promise<void> {
    for (const a of this.actors) {
      try {
        process.kill(a.pid, 'SIGCONT'); // a frozen process could not handle SIGTERM
      } catch {
        // gone
      }
    }
    await Promise.all(this.processes().map((p) => p.stop(20_000)));
    await this.redisServer?.stop();
  }

  redisAlive(): boolean {
    return this.redisServer !== undefined && isAlive(this.redisServer.pid);
  }

  logs(tailChars = 3000): string {
    return this.processes()
      .map((p) => `--- ${p.name} (${p.pid})\n${p.output().slice(-tailChars)}`)
      .join('\n');
  }
}
