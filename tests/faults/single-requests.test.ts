import { BULL_PREFIX, PredictJobData, PredictJobResult, QUEUE_NAMES } from '@cataract/contracts';
import { Queue } from 'bullmq';
import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { TestCluster, startCluster } from '@cataract/test-support/cluster';
import { postImage } from '@cataract/test-support/http';
import { LgbmFixture, writeLgbmFixture } from '@cataract/test-support/models';
import { eyePhotos } from '@cataract/test-support/photos';
import { actorCount, waitForHealth } from '@cataract/test-support/processes';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';

const maybe = redisServerAvailable() ? describe : describe.skip;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

maybe('faults, one request at a time: killed actors, dead types, deadlines, Redis outages, dying gateway workers', () => {
  let redis: RedisServer;
  let fx: LgbmFixture;
  let photo: Buffer;
  let client: Redis;
  let queue: Queue<PredictJobData, PredictJobResult>;
  let cluster: TestCluster | undefined;

  beforeAll(async () => {
    redis = await startRedis();
    fx = writeLgbmFixture();
    photo = (await eyePhotos(1)).photos[0].bytes;
    client = new Redis(redis.url);
    queue = new Queue(QUEUE_NAMES.lgbm, { connection: client, prefix: BULL_PREFIX });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    await queue?.close();
    client?.disconnect();
    fx?.remove();
    await redis?.stop();
  });
  afterEach(async () => {
    for (const a of cluster?.actors ?? []) {
      try {
        process.kill(a.pid, 'SIGCONT'); // never leave a stopped process behind
      } catch {
        // gone
      }
    }
    await cluster?.stop();
    cluster = undefined;
    await client.flushdb();
  });

  const predict = () => postImage(`${cluster!.base}/predict_lgbm`, { field: 'file', bytes: photo });

  it('an actor SIGKILLed while holding jobs: every request still succeeds (stalled-job recovery)', async () => {
    cluster = await startCluster({ redisUrl: redis.url, modelsDir: fx.modelsDir, actors: 2 });
    const [victim, survivor] = cluster.actors;
    const victimId = (await cluster.health()).actors.lgbm.find((a) => a.pid === victim.pid)!.id;
    const survivorId = (await cluster.health()).actors.lgbm.find((a) => a.pid === survivor.pid)!.id;

    // closed-loop load, as the acceptance check does
    const statuses: number[] = [];
    const actorsSeen: string[] = [];
    let running = true;
    const loops = Array.from({ length: 16 }, async () => {
      while (running) {
        const r = await predict();
        statuses.push(r.status);
        if (r.status === 200) actorsSeen.push(r.body.actor_id);
      }
    });

    // Freeze the victim until it is caught holding a job it has not answered yet (checked in Redis:
    // the job is active under its name and its upload, which the actor deletes with its reply, is
    // still there), then kill it there. Caught holding only answered jobs, the test could not tell
    // recovery from their drop (a CI run froze it at such a moment).
    let held: string[] = [];
    let unanswered = 0;
    for (let attempt = 0; attempt < 100 && unanswered === 0; attempt++) {
      await sleep(100);
      process.kill(victim.pid, 'SIGSTOP');
      const active = (await queue.getActive()).filter((j) => j.processedBy === victimId);
      held = active.map((j) => String(j.id));
      unanswered = (await Promise.all(active.map((j) => client.exists(j.data.uploadKey)))).filter((n) => n === 1).length;
      if (unanswered === 0) process.kill(victim.pid, 'SIGCONT');
    }
    expect(unanswered).toBeGreaterThan(0);
    await victim.kill();

    // 9 s (> lock duration + stalled checks) of load; each held job's fate is read as soon as it
    // finishes, before later completions push it out of BullMQ's kept 1000.
    const fates = new Map<string, { actorId?: string; failedReason?: string }>();
    const until = Date.now() + 9000;
    while (Date.now() < until) {
      await sleep(200);
      for (const id of held.filter((h) => !fates.has(h))) {
        const job = await queue.getJob(id);
        if (job?.finishedOn) fates.set(id, { actorId: job.returnvalue?.actor_id, failedReason: job.failedReason });
      }
    }
    running = false;
    await Promise.all(loops);

    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // The jobs the victim died with went back to the queue and the survivor answered them. (A job
    // whose reply the victim had already published before freezing finds its upload deleted and is
    // dropped: its request was answered. One whose completion the victim had already written to its
    // socket when SIGSTOP came reaches Redis after the freeze and finishes as the victim's, as
    // tests/faults/actor-kill.test.ts allows too: seen in a full run.)
    expect([...fates.keys()].sort()).toEqual([...held].sort());
    let recovered = 0;
    for (const fate of fates.values()) {
      if (fate.actorId === survivorId) recovered++;
      else if (fate.actorId !== victimId) expect(fate.failedReason).toMatch(/no longer exists/);
    }
    expect(recovered).toBeGreaterThan(0);
    expect(actorsSeen).toContain(survivorId);
  }, 120_000);

  it('no live actor: 503 with Retry-After at once, /health degraded; a waiting request fails 503 too, not at its deadline', async () => {
    cluster = await startCluster({ redisUrl: redis.url, modelsDir: fx.modelsDir, actors: 1, gatewayEnv: { REQUEST_TIMEOUT_MS: '30000' } });
    const [actor] = cluster.actors;

    // A request waiting on a frozen actor: once its heartbeat has expired for longer than the TTL, 503.
    process.kill(actor.pid, 'SIGSTOP');
    const waiting = await predict();
    expect(waiting.status).toBe(503);
    expect(waiting.body.error.code).toBe('no_actor');
    expect(waiting.headers.get('retry-after')).toBeTruthy();
    expect(await queue.getWaitingCount()).toBe(0); // its job was withdrawn

    // A request arriving when no actor is alive is refused before enqueuing.
    const h = await fetch(`${cluster.base}/health`);
    expect(h.status).toBe(503);
    expect(((await h.json()) as { status: string }).status).toBe('degraded');
    const fast = await predict();
    expect(fast.status).toBe(503);
    expect(fast.body.error.code).toBe('no_actor');
    expect(Number(fast.headers.get('retry-after'))).toBeGreaterThan(0);

    // The actor comes back: service resumes without restarting anything.
    process.kill(actor.pid, 'SIGCONT');
    await waitForHealth(cluster.base, (x) => x.status === 'ok', { timeoutMs: 30000 });
    expect((await predict()).status).toBe(200);
  }, 120_000);

  it('deadline: 504 at REQUEST_TIMEOUT_MS, and the job is withdrawn so nobody works on it later', async () => {
    cluster = await startCluster({ redisUrl: redis.url, modelsDir: fx.modelsDir, actors: 1, gatewayEnv: { REQUEST_TIMEOUT_MS: '1200' } });
    const [actor] = cluster.actors;
    const before = (await cluster.health()).actors.lgbm[0];
    process.kill(actor.pid, 'SIGSTOP'); // alive by heartbeat for up to 3 s, but not working
    const r = await predict();
    expect(r.status).toBe(504);
    expect(r.body.error.code).toBe('timeout');
    expect(await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).toEqual({ waiting: 0, active: 0, delayed: 0, prioritized: 0 });
    // The upload is released as the request ends (right after the reply is written).
    let uploads = await client.keys('cataract:upload:*');
    for (let i = 0; i < 40 && uploads.length > 0; i++) {
      await sleep(50);
      uploads = await client.keys('cataract:upload:*');
    }
    expect(uploads).toEqual([]);
    process.kill(actor.pid, 'SIGCONT');
    await waitForHealth(cluster.base, (x) => x.status === 'ok', { timeoutMs: 30000 });
    await sleep(500);
    expect(await queue.getJobCounts('completed', 'failed')).toEqual({ completed: 0, failed: 0 }); // never processed
    expect(before.id).toBe((await cluster.health()).actors.lgbm[0].id);
  }, 120_000);

  it('Redis down: 503 fast and /health degraded; processes stay up and recover when Redis returns', async () => {
    cluster = await startCluster({ redisUrl: redis.url, modelsDir: fx.modelsDir, actors: 1 });
    client.disconnect();
    await redis.stop();
    await sleep(300);
    const r = await predict();
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('redis_unavailable');
    expect(r.headers.get('retry-after')).toBeTruthy();
    const h = await fetch(`${cluster.base}/health`);
    expect(h.status).toBe(503);
    expect(await h.json()).toMatchObject({ status: 'degraded' });

    redis = await startRedis({ port: redis.port });
    client = new Redis(redis.url);
    await queue.close();
    queue = new Queue(QUEUE_NAMES.lgbm, { connection: client, prefix: BULL_PREFIX });
    await waitForHealth(cluster.base, (x) => x.status === 'ok' && actorCount(x) === 1, { timeoutMs: 60000 });
    expect((await predict()).status).toBe(200);
    expect(cluster.gateway.child.exitCode).toBeNull();
    expect(cluster.actors[0].child.exitCode).toBeNull();
  }, 120_000);

  it('a gateway worker that dies is respawned by the primary; requests keep succeeding', async () => {
    cluster = await startCluster({ redisUrl: redis.url, modelsDir: fx.modelsDir, actors: 1 });
    const workers = () =>
      execFileSync('pgrep', ['-P', String(cluster!.gateway.pid)])
        .toString()
        .trim()
        .split('\n')
        .map(Number);
    const before = workers();
    expect(before).toHaveLength(2);
    process.kill(before[0], 'SIGKILL');
    for (let i = 0; i < 100; i++) {
      await sleep(200);
      const now = workers();
      if (now.length === 2 && !now.includes(before[0])) break;
    }
    const after = workers();
    expect(after).toHaveLength(2);
    expect(after).not.toContain(before[0]);
    await waitForHealth(cluster.base, (x) => x.status === 'ok', { timeoutMs: 30000 });
    const results = await Promise.all(Array.from({ length: 8 }, () => predict()));
    expect(results.map((x) => x.status)).toEqual(Array(8).fill(200));
  }, 120_000);

  it('SIGTERM to the gateway lets an in-flight request finish, then exits 0', async () => {
    cluster = await startCluster({ redisUrl: redis.url, modelsDir: fx.modelsDir, actors: 1 });
    const [actor] = cluster.actors;
    process.kill(actor.pid, 'SIGSTOP'); // hold the request in flight
    const inFlight = predict();
    await sleep(500);
    const exited = cluster.gateway.stop(20000);
    await sleep(500);
    // stopped accepting: a new connection is refused while the old request still waits
    await expect(fetch(`${cluster.base}/health`)).rejects.toThrow();
    process.kill(actor.pid, 'SIGCONT');
    const r = await inFlight;
    expect(r.status).toBe(200);
    expect(await exited).toBe(0);
  }, 120_000);

  it('SIGTERM while Redis is down still stops the actor and the gateway (exit 0)', async () => {
    cluster = await startCluster({ redisUrl: redis.url, modelsDir: fx.modelsDir, actors: 1 });
    client.disconnect();
    await redis.stop();
    await sleep(300);
    const [gw, actor] = [cluster.gateway, cluster.actors[0]];
    expect(await actor.stop(30000)).toBe(0);
    expect(await gw.stop(30000)).toBe(0);
    redis = await startRedis({ port: redis.port });
    client = new Redis(redis.url);
    await queue.close();
    queue = new Queue(QUEUE_NAMES.lgbm, { connection: client, prefix: BULL_PREFIX });
  }, 120_000);
});
