/**
 * Starts the real service for the page test: a private redis-server on a free port and
 * `node apps/supervisor/dist/main.js` in its own process group, so stopping it takes every
 * gateway worker and actor with it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@cataract/test-support/ports';

export const REPO_ROOT = join(__dirname, '..', '..');
export const SUPERVISOR_MAIN = join(REPO_ROOT, 'apps', 'supervisor', 'dist', 'main.js');

export interface RunningService {
  baseUrl: string;
  stop(): Promise<void>;
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

async function waitForHealth(baseUrl: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}: ${tail(logFile)}`);
    try {
      const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
      const body = (await res.json()) as { status?: string };
      if (body.status === 'ok') return;
      last = JSON.stringify(body).slice(0, 300);
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(500);
  }
  throw new Error(`service not healthy within ${timeoutMs / 1000} s (last: ${last}): ${tail(logFile)}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-1500);
  } catch {
    return '(no log)';
  }
}

/** Starts redis + the supervisor; logs go to `logFile`. Throws (after cleaning up) when /health never says ok. */
export async function startService(logFile: string, healthTimeoutMs = 90_000): Promise<RunningService> {
  const redisDir = mkdtempSync(join(tmpdir(), 'page-test-redis-'));
  const redisPort = await freePort();
  const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir], {
    stdio: 'ignore',
    detached: true,
  });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const log = openSync(logFile, 'w');
  const service = spawn(process.execPath, [SUPERVISOR_MAIN], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), REDIS_URL: `redis://127.0.0.1:${redisPort}`, GATEWAY_WORKERS: '1' },
    stdio: ['ignore', log, log],
    detached: true, // own process group: one kill reaches the gateway workers and actors too
  });
  closeSync(log);

  const stop = async (): Promise<void> => {
    killGroup(service, 'SIGTERM');
    if (!(await exited(service, 15_000))) killGroup(service, 'SIGKILL');
    await exited(service, 5_000);
    killGroup(redis, 'SIGTERM');
    if (!(await exited(redis, 5_000))) killGroup(redis, 'SIGKILL');
    rmSync(redisDir, { recursive: true, force: true });
  };

  try {
    await waitForHealth(baseUrl, service, logFile, healthTimeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { baseUrl, stop };
}
