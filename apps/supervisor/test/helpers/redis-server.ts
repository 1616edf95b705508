import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@cataract/test-support/ports';
import { findExecutable, probeRedis } from '../../src/redis-bootstrap';

/** redis-server on the PATH, or undefined (tests that need it skip visibly). */
export const REDIS_SERVER = findExecutable('redis-server');

export interface TestRedis {
  url: string;
  port: number;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** A private redis-server on a free port for one test file (never the shared 6379). */
export async function startTestRedis(extraArgs: string[] = []): Promise<TestRedis> {
  if (!REDIS_SERVER) throw new Error('redis-server is not on the PATH');
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'supervisor-test-redis-'));
  const proc = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async () => {
    proc.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    const probe = await probeRedis(url, 300);
    if (probe.status !== 'unreachable') return { url, port, proc, stop };
    await sleep(50);
  }
  await stop();
  throw new Error(`test redis-server on ${port} did not start`);
}
