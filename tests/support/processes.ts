import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeProcessTree, procAvailable } from './proc-inspect';
import { track, untrack } from './reaper';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const GATEWAY_MAIN = resolve(REPO_ROOT, 'apps/gateway/dist/main.js');
export const ACTOR_MAIN = resolve(REPO_ROOT, 'apps/actor/dist/main.js');

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Last ~64 KB of stdout + stderr, for failure messages. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL to the whole process group after graceMs; resolves when it has exited. */
  stop(graceMs?: number): Promise<number | string>;
  /** SIGKILL this process only (not its group): a crash. */
  kill(): Promise<number | string>;
}

/** Fails fast with a clear message when the build step (`tsc -b`, run by `npm test`) was skipped. */
export function assertBuilt(): void {
  for (const f of [GATEWAY_MAIN, ACTOR_MAIN]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: build first (npx tsc -b packages/contracts apps/gateway apps/actor)`);
  }
}

/** Spawns `node <script> ...args` in its own process group (so stop() also reaps its children). */
export function spawnNode(name: string, script: string, args: string[], env: Record<string, string>): ManagedProcess {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: REPO_ROOT,
    // A short warm-up: the suites start dozens of clusters, and the full one (300 loopback uploads
    // per gateway worker, 120 predictions per lgbm actor) made a whole `npx jest` run take 419 s,
    // against 298 s with the actor warm-up alone and 339 s with these (one machine). The
    // warm-up path still runs in every process; its defaults run in tests/infra (npm start) and
    // are measured by bench/load/warmup.mjs.
    env: { ...process.env, LOG_LEVEL: 'warn', GATEWAY_WARMUP_REQUESTS: '30', ACTOR_WARMUP_RUNS: '3', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  track(child, true);
  let out = '';
  const append = (d: Buffer) => {
    out = (out + d.toString()).slice(-65536);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | string>((res) => {
    child.once('exit', (code, signal) => {
      untrack(child);
      res(code ?? signal ?? 'unknown');
    });
  });
  const isRunning = () => child.exitCode === null && child.signalCode === null;
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // group gone
    }
  };
  return {
    name,
    child,
    pid: child.pid!,
    output: () => out,
    exited,
    async stop(graceMs = 15000) {
      if (isRunning()) child.kill('SIGTERM');
      const t = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(t);
      signalGroup('SIGKILL'); // leftovers (e.g. cluster workers) never outlive a test
      return code;
    },
    async kill() {
      if (isRunning()) child.kill('SIGKILL');
      return exited;
    },
  };
}

export function spawnGateway(env: Record<string, string>): ManagedProcess {
  return spawnNode('gateway', GATEWAY_MAIN, [], { GATEWAY_WORKERS: '2', ...env });
}

export function spawnActor(model: 'lgbm' | 'clip', env: Record<string, string>): ManagedProcess {
  return spawnNode(`actor-${model}`, ACTOR_MAIN, ['--model', model], env);
}

export interface HealthBody {
  status: string;
  redis: string;
  actors: Record<string, Array<{ id: string; pid: number; host: string; model_version: string; last_seen: string; versions?: { serving: string; loaded: string[] } }>>;
  actors_available: number;
}

/**
 * Polls GET /health until `accept(body)` holds; throws with the processes' output on timeout.
 * With credentials configured the actors are listed to an operator only: pass an admin key in `headers`.
 */
export async function waitForHealth(
  baseUrl: string,
  accept: (h: HealthBody) => boolean,
  opts: { timeoutMs?: number; processes?: ManagedProcess[]; headers?: Record<string, string> } = {},
): Promise<HealthBody> {
  const end = Date.now() + (opts.timeoutMs ?? 30000);
  let last = 'no answer';
  while (Date.now() < end) {
    for (const p of opts.processes ?? []) {
      if (p.child.exitCode !== null) throw new Error(`${p.name} exited with ${p.child.exitCode}:\n${p.output()}`);
    }
    try {
      const r = await fetch(`${baseUrl}/health`, { headers: opts.headers });
      const body = (await r.json()) as HealthBody;
      last = JSON.stringify(body);
      if (accept(body)) return body;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const logs = (opts.processes ?? [])
    .map((p) => `--- ${p.name}\n${procAvailable ? `${describeProcessTree(p.pid)}\n` : ''}${p.output().slice(-3000)}`)
    .join('\n');
  throw new Error(`health condition not met (last: ${last})\n${logs}`);
}

export const actorCount = (h: HealthBody, model = 'lgbm') => h.actors?.[model]?.length ?? 0;
