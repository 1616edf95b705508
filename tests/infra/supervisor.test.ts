/**
 * The supervisor as a process (`node apps/supervisor/dist/main.js`), with stand-in gateway and
 * actor programs (tests/infra/fixtures/fake-child.js) that record their start, argv, env and
 * signals. Needs `npx tsc -b apps/supervisor` first; parts need redis-server on the PATH.
 */
import { existsSync } from 'node:fs';
import { freePort, probeRedis } from '../../apps/supervisor/src/redis-bootstrap';
import { REDIS_SERVER, startTestRedis, type TestRedis } from '../../apps/supervisor/test/helpers/redis-server';
import { isAlive } from '@cataract/test-support/proc-inspect';
import { SupervisorProcess, waitFor } from './helpers/supervisor-process';

const withRedis = REDIS_SERVER ? describe : describe.skip;
const skipped = REDIS_SERVER ? '' : ' (skipped: redis-server not on PATH)';

withRedis(`supervisor process${skipped}`, () => {
  let redis: TestRedis;
  const running: SupervisorProcess[] = [];
  const supervisor = (env: NodeJS.ProcessEnv, models?: Array<'lgbm' | 'clip'>, viaNpm = false) => {
    const s = new SupervisorProcess(env, models, viaNpm);
    running.push(s);
    return s;
  };
  const deadRedisUrl = async () => `redis://127.0.0.1:${await freePort()}`;

  beforeAll(async () => (redis = await startTestRedis()));
  afterAll(async () => redis?.stop());
  afterEach(async () => {
    for (const s of running.splice(0)) await s.cleanup();
  });

  it('starts the gateway and actors for the models on disk, then on SIGTERM stops the gateway before the actors and exits 0', async () => {
    const s = supervisor({ REDIS_URL: redis.url, LGBM_ACTORS: '2', CLIP_ACTORS: '1' }, ['lgbm']);
    const pids = await s.waitForChildren(['gateway', 'lgbm-actor-1', 'lgbm-actor-2']);

    const [gateway, actor] = [s.started('gateway')[0], s.started('lgbm-actor-1')[0]];
    expect(gateway.argv).toEqual([]);
    expect(actor.argv).toEqual(['--model', 'lgbm']);
    for (const e of [gateway, actor]) {
      expect(e.env).toMatchObject({ REDIS_URL: redis.url, SERVED_MODELS: 'lgbm', PORT: '18999', SUPERVISOR_PID: String(s.proc.pid) });
    }
    expect(s.events().some((e) => e.name.startsWith('clip'))).toBe(false); // no clip model on disk
    expect(s.output).toMatch(/model missing/);

    s.proc.kill('SIGTERM');
    expect(await s.exited).toEqual({ code: 0, signal: null });
    const ev = s.events();
    const at = (name: string, event: string) => ev.find((e) => e.name === name && e.event === event)!.t;
    for (const name of ['lgbm-actor-1', 'lgbm-actor-2']) {
      expect(at(name, 'sigterm')).toBeGreaterThanOrEqual(at('gateway', 'exit'));
      expect(at(name, 'exit')).toBeDefined();
    }
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('restarts children that crash, and logs their exits', async () => {
    const s = supervisor({ REDIS_URL: redis.url, FAKE_CRASH_FIRST: '1', CLIP_ACTORS: '1', LGBM_ACTORS: '1' });
    await waitFor('second start of every child', () =>
      ['gateway', 'lgbm-actor-1', 'clip-actor-1'].every((n) => s.started(n).length === 2),
    );
    const crashes = s.logs().filter((l) => l.msg === 'child exited unexpectedly: restarting after backoff');
    expect(crashes.map((l) => l.child).sort()).toEqual(['clip-actor-1', 'gateway', 'lgbm-actor-1']);
    expect(crashes.every((l) => l.code === 3 && typeof l.restartInMs === 'number')).toBe(true);
    s.proc.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
  });

  it('starts a private redis-server with a random password when nothing answers at REDIS_URL, and stops it on exit', async () => {
    const dead = await deadRedisUrl();
    const s = supervisor({ REDIS_URL: dead });
    await s.waitForChildren(['gateway', 'lgbm-actor-1', 'clip-actor-1']);
    const line = await s.waitForLog(/embedded default/);
    const logged = new URL(String(line.redis));
    expect(logged.password).toBe('***'); // the log line masks it
    const url = s.started('gateway')[0].env!.REDIS_URL!; // the children get it in their environment
    const password = new URL(url).password;
    expect(password).toMatch(/^[0-9a-f]{64}$/);
    expect(new URL(url).host).toBe(logged.host);
    expect(url).not.toBe(dead);
    expect(s.output).not.toContain(password);
    expect((await probeRedis(`redis://${logged.host}`, 1000)).status).toBe('rejected'); // NOAUTH without it
    expect(await probeRedis(url, 1000)).toEqual({ status: 'ok' });
    const dir = String(line.dir);
    expect(existsSync(dir)).toBe(true);

    s.proc.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
    expect((await probeRedis(url, 500)).status).toBe('unreachable');
    expect(existsSync(dir)).toBe(false);
  });

  it('exits 1 saying how to get Redis when none answers and redis-server is not on the PATH', async () => {
    const s = supervisor({ REDIS_URL: await deadRedisUrl(), PATH: '/nonexistent' });
    expect((await s.exited).code).toBe(1);
    expect(s.output).toMatch(/apt-get install redis-server/);
    expect(s.output).toMatch(/REDIS_URL/);
    expect(s.events()).toEqual([]); // nothing was started
  });

  it('exits 1 naming the missing build when an entry point does not exist', async () => {
    const s = supervisor({ REDIS_URL: redis.url, SUPERVISOR_GATEWAY_ENTRY: '/nonexistent/main.js' });
    expect((await s.exited).code).toBe(1);
    expect(s.output).toMatch(/nonexistent\/main\.js not found: build the project first/);
  });

  it('SIGKILLs children that outlast SHUTDOWN_GRACE_MS and still exits 0', async () => {
    const s = supervisor({ REDIS_URL: redis.url, FAKE_DRAIN_MS: '60000', SHUTDOWN_GRACE_MS: '1000' });
    const pids = await s.waitForChildren(['gateway', 'lgbm-actor-1', 'clip-actor-1']);
    s.proc.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
    expect(s.output).toMatch(/did not stop in time: SIGKILL/);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(s.events().filter((e) => e.event === 'exit')).toEqual([]); // none finished its 60 s drain
  });

  it('a second Ctrl-C forces: children killed at once, exit 130', async () => {
    const s = supervisor({ REDIS_URL: redis.url, FAKE_DRAIN_MS: '60000' });
    const pids = await s.waitForChildren(['gateway', 'lgbm-actor-1', 'clip-actor-1']);
    s.proc.kill('SIGINT');
    await s.waitForLog(/graceful shutdown/);
    await new Promise((r) => setTimeout(r, 700)); // past the window that absorbs npm's forwarded copy
    s.proc.kill('SIGINT');
    expect((await s.exited).code).toBe(130);
    await waitFor('children gone', () => pids.every((p) => !isAlive(p)));
  });

  it('under `npm start`, a process-group SIGTERM still gets the ordered shutdown (npm waits for it)', async () => {
    // What the acceptance checks do: SIGTERM to the group of `setsid npm start`, wait for npm to
    // exit, then SIGKILL the group. If npm exited before the supervisor (a shell between them that
    // dies on the signal), the SIGKILL would cut the ordered shutdown short.
    const s = supervisor({ REDIS_URL: redis.url, FAKE_DRAIN_MS: '1000' }, ['lgbm'], true);
    await s.waitForChildren(['gateway', 'lgbm-actor-1']);
    process.kill(-s.proc.pid!, 'SIGTERM');
    await waitFor('npm to exit', () => s.proc.exitCode !== null || s.proc.signalCode !== null, 15_000).catch(() => undefined);
    try {
      process.kill(-s.proc.pid!, 'SIGKILL');
    } catch {
      // the group is already empty
    }
    expect(s.logs().some((l) => l.msg === 'cluster stopped')).toBe(true);
    const ev = s.events();
    const at = (name: string, event: string) => ev.find((e) => e.name === name && e.event === event)?.t;
    expect(at('lgbm-actor-1', 'sigterm')).toBeGreaterThanOrEqual(at('gateway', 'exit')!);
    expect(at('lgbm-actor-1', 'exit')).toBeDefined();
  });

  it('children and the embedded Redis do not outlive a SIGKILLed supervisor', async () => {
    const s = supervisor({ REDIS_URL: await deadRedisUrl(), LGBM_ACTORS: '1' });
    const pids = await s.waitForChildren(['gateway', 'lgbm-actor-1', 'clip-actor-1']);
    const embedded = await s.waitForLog(/embedded default/);
    const [url, dir] = [s.started('gateway')[0].env!.REDIS_URL!, String(embedded.dir)];
    expect(existsSync(dir)).toBe(true);
    s.proc.kill('SIGKILL');
    await s.exited;
    await waitFor('orphaned children to exit', () => pids.every((p) => !isAlive(p)));
    // They shut down gracefully (their SIGTERM handler ran), not by SIGKILL.
    expect(s.events().filter((e) => e.event === 'sigterm').map((e) => e.name).sort()).toEqual(
      ['clip-actor-1', 'gateway', 'lgbm-actor-1'],
    );
    await waitFor('embedded Redis to stop', async () => (await probeRedis(url, 300)).status === 'unreachable');
    await waitFor('its temp dir to be removed', () => !existsSync(dir));
  });
});
