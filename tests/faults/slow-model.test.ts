import { summarize } from '@cataract/test-support/load';
import { keyCensus, unfinishedJobs } from '@cataract/test-support/redis-inspect';
import { DEADLINE_MS, describeFaults, expectCleanAfter, hangs, load, ScenarioReport, warmUp, useFaultCluster } from './harness/scenario';

/** Each inference of the slow actor takes this much longer than it should: past any request's deadline. */
const SLOW_BY_MS = DEADLINE_MS + 2000;

/**
 * Fault 6: the lgbm actor is replaced by one whose model is slower than the deadline
 * (ACTOR_FAULT_DELAY_MS, the actor's test-only knob). Every request gets its 504 at the deadline,
 * the jobs nobody waits for are withdrawn or finish unseen, nothing is left in Redis, and once a
 * normal actor is back the next requests are answered as before.
 */
describeFaults('fault 6: a model slower than the request deadline', {}, () => {
  const fc = useFaultCluster();

  it('16 clients on lgbm: 504 at the deadline, no leaked jobs or keys, later requests unaffected', async () => {
    const c = (await fc.start({ actors: { lgbm: 1 }, requestTimeoutMs: DEADLINE_MS }));
    const base = await warmUp(c, fc.photos, [{ path: '/predict_lgbm', concurrency: 16 }]);
    const [normal] = c.liveActors('lgbm');

    // Swap in the slow actor.
    const slow = await c.addActor('lgbm', { ACTOR_FAULT_DELAY_MS: String(SLOW_BY_MS) });
    expect(await normal.stop(30_000)).toBe(0);
    expect(slow.output()).toContain('TEST-ONLY FAULT INJECTION');

    const slowSamples = await load(c, fc.photos, { path: '/predict_lgbm', concurrency: 16, durationMs: 10_000 }).done;

    // Back to a normal actor; the slow one finishes (unseen) what it holds, then exits.
    await c.addActor('lgbm');
    expect(await slow.stop(SLOW_BY_MS + 20_000)).toBe(0);
    // Nothing the slow period produced is left behind: no queued or running job, no upload.
    const between = await keyCensus(c.redisUrl);
    const leftover = { unfinishedJobs: unfinishedJobs(between), uploads: between.uploads.length };

    const laterSamples = await load(c, fc.photos, { path: '/predict_lgbm', concurrency: 16, durationMs: 6000 }).done;

    const report: ScenarioReport = {
      scenario: '6-slow-model',
      setup: { actors: { lgbm: 1 }, gatewayWorkers: 2, concurrency: 16, slowByMs: SLOW_BY_MS, deadlineMs: DEADLINE_MS },
      loads: { 'slow actor': summarize(slowSamples), 'after the slow actor left': summarize(laterSamples) },
      notes: { leftoverAfterSlowActorExit: leftover, fastest504Ms: Math.min(...slowSamples.map((s) => s.latencyMs)) },
    };
    await expectCleanAfter(c, base, report);

    // Every request of the slow period: 504 timeout, at (never before) its deadline, never a hang.
    expect(slowSamples.length).toBeGreaterThanOrEqual(16);
    expect(summarize(slowSamples).byOutcome).toEqual({ 504: slowSamples.length });
    expect(slowSamples.every((s) => s.code === 'timeout')).toBe(true);
    expect(hangs(slowSamples)).toEqual([]);
    for (const s of slowSamples) expect(s.latencyMs).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(leftover).toEqual({ unfinishedJobs: 0, uploads: 0 });
    // Later requests: all answered, none waits behind work left over from the slow period.
    expect(laterSamples.length).toBeGreaterThan(16);
    expect(summarize(laterSamples).byOutcome).toEqual({ 200: laterSamples.length });
    expect(hangs(laterSamples)).toEqual([]);
  }, 240_000);
});
