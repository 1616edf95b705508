import type { ModelType } from '@cataract/contracts';
import { summarize } from '@cataract/test-support/load';
import { waitForHealth } from '@cataract/test-support/processes';
import { isAlive } from '@cataract/test-support/proc-inspect';
import { ActorProcess } from './harness/fault-cluster';
import { DEADLINE_MS, describeFaults, expectCleanAfter, hangs, load, ScenarioReport, sleep, warmUp, useFaultCluster } from './harness/scenario';

/**
 * Fault 5: a rolling restart under load. Each actor in turn gets SIGTERM (it deletes its heartbeat,
 * stops taking jobs, finishes the ones it holds and exits 0) and a replacement is started and
 * waited for before the next one goes. The other actor of the type carries the load meanwhile:
 * 0 failed requests.
 */
describeFaults('fault 5: rolling restart of every actor under load', { clip: true }, () => {
  const fc = useFaultCluster();

  it('2 lgbm + 2 clip actors, 16 clients on lgbm + 8 on clip: every actor replaced, 0 failed requests', async () => {
    const c = (await fc.start({ actors: { lgbm: 2, clip: 2 }, requestTimeoutMs: DEADLINE_MS }));
    const base = await warmUp(c, fc.photos, [
      { path: '/predict_lgbm', concurrency: 16 },
      { path: '/predict_clip', concurrency: 8 },
    ]);
    const workers = c.gatewayWorkers();
    const original = c.liveActors();

    const lgbm = load(c, fc.photos, { path: '/predict_lgbm', concurrency: 16, durationMs: 180_000 });
    const clip = load(c, fc.photos, { path: '/predict_clip', concurrency: 8, durationMs: 180_000 });
    await sleep(2000);
    // The two types roll side by side, each one actor at a time: SIGTERM, wait for its exit, start
    // its replacement and wait until /health lists it, then the next.
    const steps: Array<{ model: ModelType; old: number; exit: number | string; replacement: number; ms: number }> = [];
    const replacements: ActorProcess[] = [];
    const roll = async (model: ModelType) => {
      for (const old of original.filter((a) => a.model === model)) {
        const t0 = Date.now();
        const exit = await old.stop(30_000);
        const next = await c.addActor(model);
        replacements.push(next);
        steps.push({ model, old: old.pid, exit, replacement: next.pid, ms: Date.now() - t0 });
      }
    };
    await Promise.all([roll('lgbm'), roll('clip')]);
    const rolledAt = Date.now();
    // Every gateway worker caches its actor registry briefly: wait until /health lists all four.
    const health = await waitForHealth(c.base, (h) => replacements.every((r) => (h.actors[r.model] ?? []).some((a) => a.pid === r.pid)), { timeoutMs: 10_000 });
    const newIds = new Set((['lgbm', 'clip'] as const).flatMap((m) => health.actors[m].filter((a) => replacements.some((r) => r.pid === a.pid)).map((a) => a.id)));
    await sleep(2000);
    lgbm.stop();
    clip.stop();
    const [lgbmSamples, clipSamples] = await Promise.all([lgbm.done, clip.done]);

    const report: ScenarioReport = {
      scenario: '5-rolling-restart',
      setup: { actors: { lgbm: 2, clip: 2 }, gatewayWorkers: 2, concurrency: { lgbm: 16, clip: 8 }, deadlineMs: DEADLINE_MS },
      loads: { '/predict_lgbm': summarize(lgbmSamples), '/predict_clip': summarize(clipSamples) },
      notes: { steps },
    };
    await expectCleanAfter(c, base, report, async () => {
      expect(c.gatewayWorkers()).toEqual(workers);
      expect(c.liveActors().map((a) => a.pid).sort()).toEqual(replacements.map((a) => a.pid).sort());
      for (const a of original) expect(isAlive(a.pid)).toBe(false);
    });

    expect(steps.map((s) => s.exit)).toEqual([0, 0, 0, 0]); // every old actor stopped gracefully
    expect(newIds.size).toBe(4);
    for (const samples of [lgbmSamples, clipSamples]) {
      expect(samples.length).toBeGreaterThan(0);
      expect(summarize(samples).byOutcome).toEqual({ 200: samples.length });
      expect(hangs(samples)).toEqual([]);
      // After the roll, only the replacements answer.
      const late = samples.filter((s) => s.start > rolledAt + 1000);
      expect(late.length).toBeGreaterThan(0);
      expect(late.filter((s) => !newIds.has(s.actorId ?? ''))).toEqual([]);
    }
  }, 300_000);
});
