import { HEARTBEAT } from '@cataract/contracts';
import { Sample, summarize } from '@cataract/test-support/load';
import { isAlive } from '@cataract/test-support/proc-inspect';
import { waitForHealth } from '@cataract/test-support/processes';
import { DEADLINE_MS, describeFaults, expectCleanAfter, FAST_MS, hangs, load, ScenarioReport, sleep, warmUp, useFaultCluster } from './harness/scenario';

/**
 * Fault 2: the only lgbm actor is SIGKILLed under load (a clip actor keeps serving its own load).
 * Requests waiting on the dead type fail with 503 before their deadline; once the gateway knows the
 * type has no actor, new requests get a fast 503 with Retry-After. A new lgbm actor brings the
 * service back with nothing else restarted.
 */
describeFaults('fault 2: SIGKILL the only actor of a type under load', { clip: true }, () => {
  const fc = useFaultCluster();

  it('lgbm: 16 clients (+4 on clip); fast 503 + Retry-After while none is alive, 200 again once a new actor starts', async () => {
    const c = (await fc.start({ actors: { lgbm: 1, clip: 1 }, requestTimeoutMs: DEADLINE_MS }));
    const base = await warmUp(c, fc.photos, [
      { path: '/predict_lgbm', concurrency: 16 },
      { path: '/predict_clip', concurrency: 4 },
    ]);
    const [victim] = c.liveActors('lgbm');
    const [clipActor] = c.liveActors('clip');
    const workers = c.gatewayWorkers();

    const lgbm = load(c, fc.photos, { path: '/predict_lgbm', concurrency: 16, durationMs: 120_000 });
    const clip = load(c, fc.photos, { path: '/predict_clip', concurrency: 4, durationMs: 120_000 });
    await sleep(3000);
    await victim.kill();
    const killedAt = Date.now();
    // The gateway counts actors by heartbeat: the dead one drops out within the heartbeat TTL.
    await waitForHealth(c.base, (h) => (h.actors.lgbm ?? []).length === 0, { timeoutMs: HEARTBEAT.ttlMs + 5000 });
    const deadAt = Date.now();
    await sleep(4000); // a few seconds of requests to a type without actors
    const restartAt = Date.now();
    const replacement = await c.addActor('lgbm');
    const backAt = Date.now();
    await sleep(4000);
    lgbm.stop();
    clip.stop();
    const [lgbmSamples, clipSamples] = await Promise.all([lgbm.done, clip.done]);

    // Registry reads are cached per gateway worker for a few hundred ms: allow 1 s for every worker to see a change.
    const between = (s: Sample, from: number, to: number) => s.start >= from && s.start < to;
    const beforeKill = lgbmSamples.filter((s) => s.end < killedAt);
    const whileDead = lgbmSamples.filter((s) => between(s, deadAt + 1000, restartAt));
    const afterBack = lgbmSamples.filter((s) => s.start >= backAt + 1000);
    const unavailable = lgbmSamples.filter((s) => s.status === 503);
    const report: ScenarioReport = {
      scenario: '2-only-actor-kill',
      setup: { actors: { lgbm: 1, clip: 1 }, gatewayWorkers: 2, concurrency: { lgbm: 16, clip: 4 }, deadlineMs: DEADLINE_MS },
      loads: { '/predict_lgbm': summarize(lgbmSamples), '/predict_clip': summarize(clipSamples), 'lgbm while dead': summarize(whileDead), 'lgbm after restart': summarize(afterBack) },
      notes: {
        msKillToNoActor: deadAt - killedAt,
        msNewActorToHealthy: backAt - restartAt,
        slowest503Ms: Math.max(0, ...unavailable.map((s) => s.latencyMs)),
        slowestFast503Ms: Math.max(0, ...whileDead.map((s) => s.latencyMs)),
      },
    };
    await expectCleanAfter(c, base, report, async () => {
      // Nothing else was restarted: same gateway workers, same clip actor.
      expect(c.gatewayWorkers()).toEqual(workers);
      expect(isAlive(c.gateway.pid)).toBe(true);
      expect(c.liveActors().map((a) => a.pid).sort()).toEqual([clipActor.pid, replacement.pid].sort());
    });

    // lgbm: 200 before the kill and after the replacement; 503 (never 504, never a hang) in between.
    expect(hangs(lgbmSamples)).toEqual([]);
    expect(new Set(lgbmSamples.map((s) => s.status))).toEqual(new Set([200, 503]));
    expect(beforeKill.length).toBeGreaterThan(0);
    expect(beforeKill.every((s) => s.status === 200)).toBe(true);
    for (const s of unavailable) {
      expect(s.code).toBe('no_actor');
      expect(Number(s.retryAfter)).toBeGreaterThan(0);
      expect(s.latencyMs).toBeLessThan(DEADLINE_MS); // even a request that was already waiting at the kill
    }
    // Once the type is known to have no actor: every request is refused fast.
    expect(whileDead.length).toBeGreaterThan(0);
    expect(whileDead.filter((s) => s.status !== 503 || s.latencyMs >= FAST_MS)).toEqual([]);
    // Service resumes with the new actor.
    expect(afterBack.length).toBeGreaterThan(0);
    expect(afterBack.filter((s) => s.status !== 200)).toEqual([]);
    expect(afterBack.some((s) => s.actorId !== undefined)).toBe(true);
    // The other type never noticed.
    expect(summarize(clipSamples).byOutcome).toEqual({ 200: clipSamples.length });
    expect(hangs(clipSamples)).toEqual([]);
  }, 240_000);
});
