import { spawn } from 'node:child_process';
import { createServer, connect, Socket } from 'node:net';
import { BULL_PREFIX, KEY_NAMESPACE, redisKeys } from '@cataract/contracts';
import { Redis } from 'ioredis';
import { childPids, isAlive, processesWithMarker, rssBytes, tcpConnectionsOf } from '@cataract/test-support/proc-inspect';
import { keyCensus } from '@cataract/test-support/redis-inspect';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { keyProblems } from './harness/invariants';

/**
 * The fault scenarios' after-checks are only worth something if they can fail: each detector is
 * shown here to see what it must see (a marked process, a connection, each kind of leaked key).
 */
describe('fault harness self-check: the detectors detect', () => {
  it('finds a process by its marker (argv or environment) until it has exited, and its memory', async () => {
    const marker = `selfcheck-${process.pid}-${Date.now()}`;
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { env: { ...process.env, FAULT_RUN_MARKER: marker }, stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(processesWithMarker(marker).map((p) => p.pid)).toEqual([child.pid]);
      expect(childPids(process.pid)).toContain(child.pid);
      expect(rssBytes(child.pid!)).toBeGreaterThan(1024 * 1024);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    expect(isAlive(child.pid!)).toBe(false);
    expect(processesWithMarker(marker)).toEqual([]);
  });

  it("ties a server process's TCP connection to the client's port", async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const client: Socket = connect(port, '127.0.0.1');
    await new Promise((r) => client.once('connect', r));
    await new Promise((r) => setTimeout(r, 100));
    try {
      const conns = tcpConnectionsOf(process.pid, port);
      expect(conns).toContainEqual({ localPort: port, remotePort: client.localPort, state: '01' });
    } finally {
      client.destroy();
      server.close();
    }
  });

  const maybe = redisServerAvailable() ? describe : describe.skip;
  maybe('key census (own redis-server)', () => {
    let redis: RedisServer;
    let client: Redis;
    beforeAll(async () => {
      redis = await startRedis();
      client = new Redis(redis.url);
    });
    afterAll(async () => {
      client?.disconnect();
      await redis?.stop();
    });

    it('reports every kind of leftover, and nothing for a clean state', async () => {
      const q = (s: string) => `${BULL_PREFIX}:lgbm:${s}`;
      await client
        .multi()
        .set(q('meta'), 'x')
        .set(redisKeys.actor('lgbm', 'a1'), '{}')
        .sadd(redisKeys.actorIndex('lgbm'), 'a1')
        .hset(q('j-done'), 'name', 'predict')
        .zadd(q('completed'), 1, 'j-done')
        .exec();
      const clean = await keyCensus(redis.url);
      expect(keyProblems(clean, clean, { lgbm: 1, clip: 0 })).toEqual([]);

      await client
        .multi()
        .set(redisKeys.upload('u1'), 'bytes')
        .hset(q('j-lost'), 'name', 'predict')
        .hset(q('j-wait'), 'name', 'predict')
        .lpush(q('wait'), 'j-wait')
        .set(q('j-wait:lock'), 'token')
        .set(`${KEY_NAMESPACE}:something-else`, '1')
        .exec();
      const dirty = await keyCensus(redis.url);
      const problems = keyProblems(dirty, clean, { lgbm: 0, clip: 0 }).join('\n');
      expect(problems).toMatch(/1 upload keys left/);
      expect(problems).toMatch(/1 unfinished jobs/);
      expect(problems).toMatch(/lgbm: 1 job hashes in no queue state/);
      expect(problems).toMatch(/lgbm: 1 job locks left/);
      expect(problems).toMatch(/lgbm: 1 heartbeat keys for 0 live actors/);
      expect(problems).toMatch(/unexpected keys: cataract:something-else/);
    });
  });
});
