import { randomBytes } from 'node:crypto';
import { accessSync, constants as fsConstants, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import { withTimeout } from '@cataract/concurrency';
import { Backoff, type BackoffOptions } from './backoff';
import { SupervisedChild } from './child-process';
import { RedisUnavailableError } from './errors';
import { ORPHAN_GUARD_SCRIPT } from './runtime-files';

export type RedisProbe =
  | { status: 'ok' }
  /** Nothing answered: refused, timed out, unknown host. */
  | { status: 'unreachable'; reason: string }
  /** A Redis answered but refused us (bad password, NOAUTH...): a configuration problem, not a missing server. */
  | { status: 'rejected'; reason: string };

/** One connection, one PING, no retries, bounded by `timeoutMs`. */
export async function probeRedis(url: string, timeoutMs: number): Promise<RedisProbe> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    // ioredis arms this timer on disconnect even for a socket that never connected; keep it short
    // so a failed probe does not hold the event loop for its 2 s default.
    disconnectTimeout: 100,
  });
  // connect() only rejects with "Connection is closed."; the socket's own error says why.
  let socketError: Error | undefined;
  client.on('error', (err: Error) => (socketError = err));
  const classify = (err: unknown): RedisProbe => {
    // A reply error (NOAUTH, WRONGPASS...), to HELLO during connect or to PING, means a server is there.
    for (const e of [err as Error, socketError]) {
      if (e?.name === 'ReplyError') return { status: 'rejected', reason: e.message };
    }
    return { status: 'unreachable', reason: socketError?.message || (err as Error)?.message || String(err) };
  };
  const attempt = (async (): Promise<RedisProbe> => {
    try {
      await client.connect();
      const pong = await client.ping();
      return pong === 'PONG' ? { status: 'ok' } : { status: 'rejected', reason: `PING answered ${pong}` };
    } catch (err) {
      return classify(err);
    }
  })();
  try {
    return await withTimeout(attempt, timeoutMs, (): RedisProbe => ({ status: 'unreachable', reason: `no answer within ${timeoutMs} ms` }));
  } finally {
    client.disconnect();
  }
}

/** The first executable `name` on `searchPath` (a PATH-style list), or undefined. */
export function findExecutable(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A port that was free a moment ago on 127.0.0.1 (the caller retries if it is taken meanwhile). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface EmbeddedRedis {
  /** redis://:<password>@127.0.0.1:<port>: for the children's REDIS_URL only, never for a log line (redact()). */
  url: string;
  port: number;
  dir: string;
  child: SupervisedChild;
  /** Stops the server and removes its temp dir. */
  stop(timeoutMs?: number): Promise<void>;
  /** Synchronous last resort (process 'exit' hook): SIGKILL and remove the temp dir. */
  kill(): void;
}

export interface EmbeddedRedisOptions {
  binary: string;
  log: Logger;
  restart: BackoffOptions;
  readyTimeoutMs?: number;
  attempts?: number;
}

/**
 * Starts a throw-away redis-server on a free 127.0.0.1 port: no RDB, no AOF, data in a temp dir
 * that is removed on stop. It runs under the orphan guard and is restarted (same port) if it dies.
 * It asks for a random password (32 random bytes, hex), so another local user can neither read the
 * in-flight photos nor queue jobs: the password sits in a config file inside the temp dir (mkdtemp
 * makes it 0700; the file is 0600), not on the command line where `ps` would show it, and reaches
 * the children only in REDIS_URL, in their environment, which other users cannot read.
 */
export async function startEmbeddedRedis(options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const { binary, log } = options;
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const attempts = options.attempts ?? 3;
  let lastError = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = await freePort();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cataract-redis-'));
    const logFile = path.join(dir, 'redis.log');
    const password = randomBytes(32).toString('hex');
    const configFile = path.join(dir, 'redis.conf');
    writeFileSync(configFile, `requirepass ${password}\n`, { mode: 0o600 });
    const args = [
      ...[ORPHAN_GUARD_SCRIPT, '--orphan-cleanup', dir, binary, configFile, '--port', String(port), '--bind', '127.0.0.1'],
      ...['--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir, '--logfile', logFile],
    ];
    const child = new SupervisedChild(
      { name: 'redis', command: process.execPath, args, env: process.env, stdio: ['ignore', 'ignore', 'inherit'] },
      new Backoff(options.restart),
      log,
    );
    const url = `redis://:${password}@127.0.0.1:${port}`;
    const removeDir = () => rmSync(dir, { recursive: true, force: true });
    const embedded: EmbeddedRedis = {
      url,
      port,
      dir,
      child,
      async stop(timeoutMs = 5_000) {
        await child.stop(timeoutMs);
        removeDir();
      },
      kill() {
        child.kill();
        removeDir();
      },
    };
    let died = false;
    child.once('exit', () => (died = true));
    child.start();
    const deadline = Date.now() + readyTimeoutMs;
    while (!died && Date.now() < deadline) {
      if ((await probeRedis(url, 500)).status === 'ok') return embedded;
      await sleep(100);
    }
    lastError = died ? `redis-server exited: ${tail(logFile)}` : `redis-server did not answer within ${readyTimeoutMs} ms`;
    log.warn({ attempt, port, reason: lastError }, 'embedded redis-server did not start');
    embedded.kill();
  }
  throw new RedisUnavailableError(`could not start ${binary}: ${lastError}`, 'embedded');
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '(no log)';
  }
}

export interface RedisEndpoint {
  url: string;
  /** Set when no Redis answered at the configured URL and a private one was started. */
  embedded?: EmbeddedRedis;
}

/** The Redis the cluster will use: the configured one if it answers, else an embedded one, else an error. */
export async function ensureRedis(options: {
  url: string;
  probeTimeoutMs: number;
  log: Logger;
  restart: BackoffOptions;
  searchPath?: string;
}): Promise<RedisEndpoint> {
  const { url, log } = options;
  const probe = await probeRedis(url, options.probeTimeoutMs);
  if (probe.status === 'ok') {
    log.info({ redis: redact(url) }, 'using Redis at REDIS_URL');
    return { url };
  }
  if (probe.status === 'rejected') {
    throw new RedisUnavailableError(
      `Redis at ${redact(url)} answered but refused the connection (${probe.reason}); fix REDIS_URL (credentials, database)`,
      url,
    );
  }
  const binary = findExecutable('redis-server', options.searchPath);
  if (!binary) {
    throw new RedisUnavailableError(
      `no Redis answers at ${redact(url)} (${probe.reason}) and redis-server is not on the PATH: ` +
        'install it (e.g. `apt-get install redis-server`) or set REDIS_URL to a running Redis',
      url,
    );
  }
  const embedded = await startEmbeddedRedis({ binary, log, restart: options.restart });
  log.warn(
    { redis: redact(embedded.url), configured: redact(url), reason: probe.reason, binary, dir: embedded.dir, pid: embedded.child.pid },
    'no Redis at REDIS_URL: started a private redis-server (embedded default, in-memory, removed on exit)',
  );
  return { url: embedded.url, embedded };
}

/** The URL without its password, for logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
