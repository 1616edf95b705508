/**
 * `npm run eval` without --url: the tool starts the service itself, as `npm start` does (the
 * supervisor: gateway, actors, and a private throw-away redis-server, never the machine's shared
 * Redis), waits until /health reports an actor for every model the chosen routes need, and stops
 * it all (SIGTERM, then SIGKILL after a grace period) when the report is done.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '../common/dataset';
import type { RouteName } from './client';
import { LocalServiceError } from './errors';

export const SUPERVISOR_ENTRY = path.join(repoRoot, 'apps', 'supervisor', 'dist', 'main.js');

export interface LocalService {
  base: string;
  /** The supervisor's recent output, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface LocalServiceOptions {
  routes: readonly RouteName[];
  /** MODELS_DIR; default the repository's models/. */
  modelsDir?: string;
  /** Extra environment for the supervisor (its own variables win over the defaults below). */
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}

/** The model types a set of routes needs. */
export function modelsFor(routes: readonly RouteName[]): Array<'lgbm' | 'clip'> {
  const need = new Set<'lgbm' | 'clip'>();
  for (const r of routes) {
    if (r === 'lgbm' || r === 'ensemble') need.add('lgbm');
    if (r === 'clip' || r === 'ensemble') need.add('clip');
  }
  return [...need];
}

export async function startLocalService(o: LocalServiceOptions): Promise<LocalService> {
  if (!existsSync(SUPERVISOR_ENTRY)) throw new LocalServiceError(`${SUPERVISOR_ENTRY} not found: build the project first (npm run build)`);
  const port = await freePort();
  // A port nothing listens on: the supervisor finds no Redis there and starts its own.
  const redisPort = await freePort();
  const need = modelsFor(o.routes);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    LGBM_ACTORS: need.includes('lgbm') ? '1' : '0',
    CLIP_ACTORS: need.includes('clip') ? '1' : '0',
    GATEWAY_WORKERS: '1',
    GATEWAY_WARMUP_REQUESTS: '0',
    API_KEYS: '',
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'warn',
    ...(o.modelsDir !== undefined && { MODELS_DIR: path.resolve(o.modelsDir) }),
    ...o.env,
  };
  const child = spawn(process.execPath, [SUPERVISOR_ENTRY], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (d: Buffer) => (log = (log + d.toString()).slice(-8000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const service: LocalService = { base: `http://127.0.0.1:${port}`, output: () => log, stop: () => stopChild(child, 20_000) };
  // Ctrl-C of the eval stops the service too (the supervisor also watches for its parent's death).
  const onSignal = () => void service.stop().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  child.once('exit', () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
  try {
    await waitReady(service.base, need, child, o.readyTimeoutMs ?? 120_000);
  } catch (err) {
    await service.stop();
    throw new LocalServiceError(`${(err as Error).message}\n--- service output\n${log}`);
  }
  return service;
}

async function waitReady(base: string, need: readonly string[], child: ChildProcess, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < end) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the service exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) });
      const body = (await res.json()) as { status?: string; served_models?: string[]; actors?: Record<string, unknown[]> };
      const unserved = need.filter((m) => body.served_models !== undefined && !body.served_models.includes(m));
      if (unserved.length > 0) throw new LocalServiceError(`no ${unserved.join(' or ')} model to serve (check MODELS_DIR / --models)`);
      if (need.every((m) => (body.actors?.[m]?.length ?? 0) > 0)) return;
      last = `health: ${JSON.stringify(body).slice(0, 300)}`;
    } catch (err) {
      if (err instanceof LocalServiceError) throw err;
      last = (err as Error).message;
    }
    await sleep(250);
  }
  throw new Error(`the service was not ready within ${timeoutMs} ms (${last})`);
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}
