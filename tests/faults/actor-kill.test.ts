import type { ModelType } from '@cataract/contracts';
import { summarize } from '@cataract/test-support/load';
import { activeJobsByWorker, jobStates } from '@cataract/test-support/redis-inspect';
import { ActorProcess, FaultCluster } from './harness/fault-cluster';
import { DEFAULT_DEADLINE_MS, describeFaults, expectCleanAfter, hangs, load, ScenarioReport, sleep, warmUp, useFaultCluster } from './harness/scenario';

/**
 * Fault 1: one of two actors of a type is SIGKILLed in the middle of a steady load. The jobs it held
 * go back to the queue once their locks expire (lockDuration + stalled checks, well inside the
 * deadline) and the survivor answers them: every client gets a 200 within its deadline.
 */
describeFaults('fault 1: SIGKILL one of two actors of a type under load', { clip: true }, () => {
  const fc = useFaultCluster();

  const cases: Array<{ model: ModelType; concurrency: number; durationMs: number; killAtMs: number }> = [
    { model: 'lgbm', concurrency: 24, durationMs: 14_000, killAtMs: 4000 },
    { model: 'clip', concurrency: 16, durationMs: 14_000, killAtMs: 4000 },
  ];

  it.each(cases)('$model: $concurrency clients for $durationMs ms, one of two actors killed at $killAtMs ms: 0 failed requests', async ({ model, concurrency, durationMs, killAtMs }) => {
    const c = (await fc.start({ actors: { [model]: 2 }, requestTimeoutMs: DEFAULT_DEADLINE_MS }));
    const path = `/predict_${model}`;
    const base = await warmUp(c, fc.photos, [{ path, concurrency }]);
    const ids = new Map((await c.health()).actors[model].map((a) => [a.pid, a.id]));

    const run = load(c, fc.photos, { path, concurrency, durationMs });
    await sleep(killAtMs);
    const { victim, held } = await killWhileHoldingJobs(c, model, ids);
    const killedAt = Date.now();
    const survivor = c.liveActors(model)[0];
    const victimId = ids.get(victim.pid)!;
    const survivorId = ids.get(survivor.pid)!;
    const samples = await run.done;

    const report: ScenarioReport = {
      scenario: `1-actor-kill-${model}`,
      setup: { actors: { [model]: 2 }, gatewayWorkers: 2, concurrency, durationMs, killAtMs, deadlineMs: DEFAULT_DEADLINE_MS },
      loads: { [path]: summarize(samples) },
      notes: { heldByVictimAtKill: held.length },
    };
    await expectCleanAfter(c, base, report, async () => {
      // Where the victim's jobs ended: answered by the survivor, or dropped as already answered.
      const states = await jobStates(c.redisUrl, model, held);
      report.notes.victimJobs = Object.values(states).reduce<Record<string, number>>((n, s) => {
        const k = s.state === 'completed' ? `completed by ${s.actorId === survivorId ? 'survivor' : s.actorId}` : `${s.state}${s.failedReason ? `: ${s.failedReason.replace(/upload \S+/, 'upload')}` : ''}`;
        n[k] = (n[k] ?? 0) + 1;
        return n;
      }, {});
      expect(Object.values(states).filter((s) => s.state === 'unfinished')).toEqual([]);
      // A job only fails when the victim had already answered it before dying (its upload is gone).
      for (const s of Object.values(states).filter((x) => x.state === 'failed')) expect(s.failedReason).toMatch(/no longer exists/);
    });

    expect(held.length).toBeGreaterThan(0); // the kill hit an actor that was working
    expect(samples.length).toBeGreaterThan(concurrency);
    expect(summarize(samples).byOutcome).toEqual({ 200: samples.length });
    expect(hangs(samples, DEFAULT_DEADLINE_MS)).toEqual([]);
    // The survivor carried the load after the kill.
    expect(samples.filter((s) => s.start > killedAt && s.actorId === survivorId).length).toBeGreaterThan(0);
    expect(samples.filter((s) => s.start > killedAt + 1000 && s.actorId === victimId)).toEqual([]);
  }, 240_000);
});

/**
 * SIGKILLs the actor holding the most running jobs, caught in the act: it is frozen (SIGSTOP) while
 * its active jobs are read from Redis, then killed, so `held` is exactly what it died with.
 */
async function killWhileHoldingJobs(c: FaultCluster, model: ModelType, ids: Map<number, string>): Promise<{ victim: ActorProcess; held: string[] }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const active = await activeJobsByWorker(c.redisUrl, model);
    const [busiest] = c.liveActors(model).sort((a, b) => (active[ids.get(b.pid)!]?.length ?? 0) - (active[ids.get(a.pid)!]?.length ?? 0));
    process.kill(busiest.pid, 'SIGSTOP');
    const held = (await activeJobsByWorker(c.redisUrl, model))[ids.get(busiest.pid)!] ?? [];
    if (held.length > 0) {
      await busiest.kill();
      return { victim: busiest, held };
    }
    process.kill(busiest.pid, 'SIGCONT');
    await sleep(100);
  }
  throw new Error(`no ${model} actor was ever seen holding a job`);
}
