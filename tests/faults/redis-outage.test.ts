import { Sample, summarize } from '@cataract/test-support/load';
import { isAlive } from '@cataract/test-support/proc-inspect';
import { DEADLINE_MS, describeFaults, expectCleanAfter, FAST_MS, hangs, load, ScenarioReport, sleep, warmUp, useFaultCluster } from './harness/scenario';

const OUTAGE_MS = 5000;
/** The bound: after Redis returns, gateway and actors serve again on their own within 5 s. */
const RECOVERY_MS = 5000;

/**
 * Fault 3: Redis is stopped for 5 s and started again, empty, on the same port, under load on both
 * model types. During the outage requests fail fast with 503; afterwards the gateway workers
 * reconnect, the actors re-register by heartbeat and their BullMQ workers resume, with no process
 * restarted and no request left hanging.
 */
describeFaults('fault 3: Redis stopped for 5 s under load', { clip: true }, () => {
  const fc = useFaultCluster();

  it('16 clients on lgbm + 4 on clip: fast 503s during the outage, every type serving again within 5 s, nothing exits', async () => {
    const c = (await fc.start({ actors: { lgbm: 1, clip: 1 }, requestTimeoutMs: DEADLINE_MS }));
    const base = await warmUp(c, fc.photos, [
      { path: '/predict_lgbm', concurrency: 16 },
      { path: '/predict_clip', concurrency: 4 },
    ]);
    const pids = [c.gateway.pid, ...c.gatewayWorkers(), ...c.liveActors().map((a) => a.pid)].sort();

    const lgbm = load(c, fc.photos, { path: '/predict_lgbm', concurrency: 16, durationMs: 120_000 });
    const clip = load(c, fc.photos, { path: '/predict_clip', concurrency: 4, durationMs: 120_000 });
    await sleep(3000);
    const downAt = Date.now();
    await c.stopRedis();
    await sleep(OUTAGE_MS);
    const restartingAt = Date.now();
    await c.restartRedis();
    const upAt = Date.now();
    await sleep(RECOVERY_MS + 4000);
    lgbm.stop();
    clip.stop();
    const [lgbmSamples, clipSamples] = await Promise.all([lgbm.done, clip.done]);
    const all = [...lgbmSamples, ...clipSamples];

    // Sent while Redis was away (those in flight when it went are answered 503 once it has been
    // unreachable for the gateway's 1 s grace). Redis comes back empty: right after it returns, 503
    // no_actor until the actors' next heartbeat is expected, so the window ends when the restart begins.
    const during = all.filter((s) => s.start >= downAt + 1500 && s.start < restartingAt);
    const afterRecovery = all.filter((s) => s.start >= upAt + RECOVERY_MS);
    const firstOkAfter = (samples: Sample[]) => Math.min(...samples.filter((s) => s.start >= upAt && s.status === 200).map((s) => s.end - upAt));
    const report: ScenarioReport = {
      scenario: '3-redis-outage',
      setup: { actors: { lgbm: 1, clip: 1 }, gatewayWorkers: 2, concurrency: { lgbm: 16, clip: 4 }, outageMs: OUTAGE_MS, deadlineMs: DEADLINE_MS },
      loads: { '/predict_lgbm': summarize(lgbmSamples), '/predict_clip': summarize(clipSamples), 'during outage': summarize(during), 'from 5 s after return': summarize(afterRecovery) },
      notes: {
        firstLgbm200AfterReturnMs: firstOkAfter(lgbmSamples),
        firstClip200AfterReturnMs: firstOkAfter(clipSamples),
        last503AfterReturnMs: Math.max(0, ...all.filter((s) => s.status === 503 && s.start >= upAt).map((s) => s.start - upAt)),
        slowestDuringOutageMs: Math.max(0, ...during.map((s) => s.latencyMs)),
      },
    };
    await expectCleanAfter(c, base, report, async () => {
      // No process exited or was replaced.
      expect([c.gateway.pid, ...c.gatewayWorkers(), ...c.liveActors().map((a) => a.pid)].sort()).toEqual(pids);
      for (const pid of pids) expect(isAlive(pid)).toBe(true);
    });

    expect(hangs(all)).toEqual([]);
    // Only answers, never dropped connections; the failures are 503s that say when to come back.
    expect(all.filter((s) => s.status !== 200 && s.status !== 503)).toEqual([]);
    for (const s of all.filter((x) => x.status === 503)) expect(Number(s.retryAfter)).toBeGreaterThan(0);
    // During the outage: refused fast.
    expect(during.length).toBeGreaterThan(0);
    expect(during.filter((s) => s.status !== 503 || s.latencyMs >= FAST_MS)).toEqual([]);
    expect(during.every((s) => s.code === 'redis_unavailable')).toBe(true);
    // From RECOVERY_MS after Redis returned, both types serve every request again.
    for (const path of ['/predict_lgbm', '/predict_clip']) {
      const after = afterRecovery.filter((s) => s.label === path);
      expect(after.length).toBeGreaterThan(0);
      expect(after.filter((s) => s.status !== 200)).toEqual([]);
    }
  }, 240_000);
});
