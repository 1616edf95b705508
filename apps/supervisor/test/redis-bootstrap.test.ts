import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { RedisUnavailableError } from '../src/errors';
import { freePort } from '@cataract/test-support/ports';
import { ensureRedis, findExecutable, probeRedis, redact, startEmbeddedRedis } from '../src/redis-bootstrap';
import { ORPHAN_GUARD_SCRIPT } from '../src/runtime-files';
import { REDIS_SERVER, startTestRedis, type TestRedis } from './helpers/redis-server';

const log = pino({ level: 'silent' });
const restart = { initialMs: 200, maxMs: 1000, resetAfterMs: 5000 };
const withRedis = REDIS_SERVER ? describe : describe.skip;

describe('findExecutable', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'supervisor-path-'));
    writeFileSync(path.join(dir, 'runnable'), '#!/bin/sh\n');
    chmodSync(path.join(dir, 'runnable'), 0o755);
    writeFileSync(path.join(dir, 'plain'), 'not executable');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds an executable on a PATH-style list, skipping empty and missing entries', () => {
    expect(findExecutable('runnable', ['', '/nonexistent', dir].join(path.delimiter))).toBe(path.join(dir, 'runnable'));
  });

  it('ignores files that are not executable and names that are nowhere', () => {
    expect(findExecutable('plain', dir)).toBeUndefined();
    expect(findExecutable('runnable', '/nonexistent')).toBeUndefined();
  });
});

describe('redact', () => {
  it('hides the password only', () => {
    expect(redact('redis://:secret@host:6380/1')).toBe('redis://:***@host:6380/1');
    expect(redact('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});

describe('probeRedis on a dead port', () => {
  it('reports unreachable with the socket error', async () => {
    const port = await freePort(); // free, so nothing listens there
    const probe = await probeRedis(`redis://127.0.0.1:${port}`, 1000);
    expect(probe).toEqual({ status: 'unreachable', reason: expect.stringContaining('ECONNREFUSED') });
  });
});

withRedis(`probeRedis against a private redis-server${REDIS_SERVER ? '' : ' (skipped: redis-server not on PATH)'}`, () => {
  let redis: TestRedis;
  let locked: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
    locked = await startTestRedis(['--requirepass', 'letmein']);
  });
  afterAll(async () => {
    await redis?.stop();
    await locked?.stop();
  });

  it('answers ok', async () => {
    expect(await probeRedis(redis.url, 1000)).toEqual({ status: 'ok' });
  });

  it('reports a Redis that refuses us as rejected, not unreachable', async () => {
    const probe = await probeRedis(locked.url, 1000);
    expect(probe).toEqual({ status: 'rejected', reason: expect.stringMatching(/NOAUTH/) });
    expect(await probeRedis(`redis://:letmein@127.0.0.1:${locked.port}`, 1000)).toEqual({ status: 'ok' });
  });

  it('ensureRedis uses an answering Redis as it is', async () => {
    const endpoint = await ensureRedis({ url: redis.url, probeTimeoutMs: 1000, log, restart });
    expect(endpoint).toEqual({ url: redis.url });
  });

  it('ensureRedis refuses to paper over a Redis that rejects us', async () => {
    await expect(ensureRedis({ url: locked.url, probeTimeoutMs: 1000, log, restart })).rejects.toThrow(/refused the connection.*NOAUTH/);
  });
});

withRedis(`embedded redis-server${REDIS_SERVER ? '' : ' (skipped: redis-server not on PATH)'}`, () => {
  beforeAll(() => {
    if (!existsSync(ORPHAN_GUARD_SCRIPT)) throw new Error(`${ORPHAN_GUARD_SCRIPT} missing: run npx tsc -b apps/supervisor`);
  });

  it('starts on a free port, answers PING, and leaves nothing behind when stopped', async () => {
    const embedded = await startEmbeddedRedis({ binary: REDIS_SERVER!, log, restart });
    try {
      expect(embedded.url).toMatch(new RegExp(`^redis://:[0-9a-f]{64}@127\\.0\\.0\\.1:${embedded.port}$`));
      expect(await probeRedis(embedded.url, 1000)).toEqual({ status: 'ok' });
      expect(existsSync(embedded.dir)).toBe(true);
    } finally {
      await embedded.stop();
    }
    expect((await probeRedis(embedded.url, 500)).status).toBe('unreachable');
    expect(existsSync(embedded.dir)).toBe(false);
  });

  it('asks for a random password that is on no command line and in no log line, and listens on loopback only', async () => {
    const lines: string[] = [];
    const capture = pino({ level: 'trace' }, { write: (l: string) => lines.push(l) });
    const dead = `redis://127.0.0.1:${await freePort()}`;
    const endpoint = await ensureRedis({ url: dead, probeTimeoutMs: 1000, log: capture, restart });
    const other = await startEmbeddedRedis({ binary: REDIS_SERVER!, log, restart });
    try {
      const embedded = endpoint.embedded!;
      const password = new URL(embedded.url).password;
      expect(password).toMatch(/^[0-9a-f]{64}$/);
      expect(new URL(other.url).password).not.toBe(password);
      // without the password: refused, not served
      const anonymous = await probeRedis(`redis://127.0.0.1:${embedded.port}`, 1000);
      expect(anonymous.status).toBe('rejected');
      expect(anonymous.status === 'rejected' && anonymous.reason).toMatch(/NOAUTH/);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join('\n')).not.toContain(password);
      const cmdlines = readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .map((pid) => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
          } catch {
            return '';
          }
        });
      const server = cmdlines.filter((c) => c.includes(`--port ${embedded.port}`));
      expect(server.length).toBeGreaterThan(0);
      expect(server.every((c) => !c.includes(password) && c.includes('--bind 127.0.0.1'))).toBe(true);
      expect(statSync(path.join(embedded.dir, 'redis.conf')).mode & 0o077).toBe(0);
    } finally {
      await endpoint.embedded?.stop();
      await other.stop();
    }
  });

  it('is restarted on the same port when it dies', async () => {
    const embedded = await startEmbeddedRedis({ binary: REDIS_SERVER!, log, restart });
    try {
      const firstPid = embedded.child.pid!;
      const restarted = new Promise<number>((resolve) => embedded.child.once('spawn', resolve));
      process.kill(-firstPid, 'SIGKILL'); // the guard and its redis-server
      const secondPid = await restarted;
      expect(secondPid).not.toBe(firstPid);
      let probe = await probeRedis(embedded.url, 500);
      for (let i = 0; i < 50 && probe.status !== 'ok'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        probe = await probeRedis(embedded.url, 500);
      }
      expect(probe).toEqual({ status: 'ok' });
    } finally {
      await embedded.stop();
    }
  });

  it('ensureRedis starts one when nothing answers at REDIS_URL', async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    const endpoint = await ensureRedis({ url: dead, probeTimeoutMs: 1000, log, restart });
    try {
      expect(endpoint.embedded).toBeDefined();
      expect(endpoint.url).not.toBe(dead);
      expect(await probeRedis(endpoint.url, 1000)).toEqual({ status: 'ok' });
    } finally {
      await endpoint.embedded?.stop();
    }
  });
});

describe('ensureRedis without Redis and without redis-server', () => {
  it('fails with a message that says how to get Redis', async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    const attempt = ensureRedis({ url: dead, probeTimeoutMs: 1000, log, restart, searchPath: '/nonexistent' });
    await expect(attempt).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(attempt).rejects.toThrow(/redis-server is not on the PATH.*apt-get install redis-server.*REDIS_URL/);
  });
});
