import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports';
import { track, untrack } from './reaper';

export interface RedisServer {
  port: number;
  url: string;
  pid: number;
  /** Stop it (SIGTERM, then SIGKILL) and delete its directory. Idempotent. */
  stop(): Promise<void>;
}

/** Is redis-server on the PATH? Tests that need one skip with this reason otherwise. */
export function redisServerAvailable(): boolean {
  const paths = (process.env.PATH ?? '').split(':');
  return paths.some((p) => {
    try {
      return statSync(join(p, 'redis-server')).isFile();
    } catch {
      return false;
    }
  });
}

/** A private, non-persistent redis-server on a free port (never the shared one), ready when this resolves. */
export async function startRedis(opts: { maxmemory?: string; port?: number } = {}): Promise<RedisServer> {
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'cataract-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  if (opts.maxmemory) args.push('--maxmemory', opts.maxmemory);
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  try {
    await waitForPing(port, child, 10_000);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`redis-server did not start on ${port}: ${(err as Error).message}\n${log}`);
  }
  let stopped: Promise<void> | undefined;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: () =>
      (stopped ??= (async () => {
        await stopChild(child, 5000);
        untrack(child);
        rmSync(dir, { recursive: true, force: true });
      })()),
  };
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

/** PING over a raw socket until +PONG (no client library state to clean up). */
async function waitForPing(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    if (await pingOnce(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timeout');
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    let buf = '';
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.on('error', () => done(false));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
  });
}

/**
 * For a describe block: a private redis-server and one client to it, started before the block's
 * tests and stopped after them. Read `server` and `redis` inside tests (they are set in beforeAll).
 */
export function usePrivateRedis(): { server: RedisServer; redis: Redis } {
  const ctx = {} as { server: RedisServer; redis: Redis };
  beforeAll(async () => {
    ctx.server = await startRedis();
    ctx.redis = new Redis(ctx.server.url);
  });
  afterAll(async () => {
    ctx.redis?.disconnect();
    await ctx.server?.stop();
  });
  return ctx;
}
