import type { ModelType } from '@cataract/contracts';
import { summarize } from '../support/load';
import { activeJobsByWorker, jobStates } from '../support/redis-inspect';
import { FaultCluster } from './harness/fault-cluster';
import { loadPhotos } from './harness/photos';
import { DEADLINE_MS, describeFaults, expectCleanAfter, hangs, load, ScenarioReport, SETTLE_MS, sleep, warmUp } from './harness/scenario';

/**
 * Fault 1: one of two actors of a type is SIGKILLed in the middle of a steady load. The jobs it held
 * go back to the queue once their locks expire (lockDuration + stalled checks, well inside the
 * deadline) and the survivor answers them: every client gets a 200 within its deadline.
 */
describeFaults('fault 1: SIGKILL one of two actors of a type under load', { clip: true }, () => {
  let photos: Buffer[];
  let cluster: FaultCluster | undefined;

  beforeAll(async () => {
    photos = (await loadPhotos()).photos;
  });
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  const cases: Array<{ model: ModelType; concurrency: number; durationMs: number; killAtMs: number }> = [
    { model: 'lgbm', concurrency: 24, durationMs: 14_000, killAtMs: 4000 },
    { model: 'clip', concurrency: 16, durationMs: 14_000, killAtMs: 4000 },
  ];

  it.each(cases)('$model: $concurrency clients for $durationMs ms, one of two actors killed at $killAtMs ms: 0 failed requests', async ({ model, concurrency, durationMs, killAtMs }) => {
    const c = (cluster = await FaultCluster.start({ actors: { [model]: 2 }, requestTimeoutMs: DEADLINE_MS }));
    const path = `/predict_${model}`;
    const base = await warmUp(c, photos, [{ path, concurrency }]);
    const [victim, survivor] = c.liveActors(model);
    const ids = new Map((await c.health()).actors[model].map((a) => [a.pid, a.id]));
    const victimId = ids.get(victim.pid)!;
    const survivorId = ids.get(survivor.pid)!;

    const run = load(c, photos, { path, concurrency, durationMs });
    await sleep(killAtMs);
    await victim.kill();
    const killedAt = Date.now();
    // Read right after the kill: the dead actor's locks have not expired yet, so these are the jobs it died with.
    const held = (await activeJobsByWorker(c.redisUrl, model))[victimId] ?? [];
    const samples = await run.done;

    const report: ScenarioReport = {
      scenario: `1-actor-kill-${model}`,
      setup: { actors: { [model]: 2 }, gatewayWorkers: 2, concurrency, durationMs, killAtMs, deadlineMs: DEADLINE_MS },
      loads: { [path]: summarize(samples) },
      notes: { heldByVictimAtKill: held.length },
    };
    await expectCleanAfter(c, base, report, async () => {
      // Where the victim's jobs ended: answered by the survivor, or dropped as already answered.
      const states = await jobStates(c.redisUrl, model, held);
      report.notes.victimJobs = Object.values(states).reduce<Record<string, number>>((n, s) => {
        const k = s.state === 'completed' ? `completed by ${s.actorId === survivorId ? 'survivor' : s.actorId}` : s.state;
        n[k] = (n[k] ?? 0) + 1;
        return n;
      }, {});
      expect(Object.values(states).filter((s) => s.state === 'unfinished')).toEqual([]);
    });

    expect(held.length).toBeGreaterThan(0); // the kill hit an actor that was working
    expect(samples.length).toBeGreaterThan(concurrency);
    expect(summarize(samples).byOutcome).toEqual({ 200: samples.length });
    expect(hangs(samples)).toEqual([]);
    // The survivor carried the load after the kill.
    expect(samples.filter((s) => s.start > killedAt && s.actorId === survivorId).length).toBeGreaterThan(0);
    expect(samples.filter((s) => s.start > killedAt + 1000 && s.actorId === victimId)).toEqual([]);
  }, 240_000);
});
