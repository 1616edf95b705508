import { summarize } from '@cataract/test-support/load';
import { waitForHealth } from '@cataract/test-support/processes';
import { DEFAULT_DEADLINE_MS, describeFaults, expectCleanAfter, hangs, load, ScenarioReport, sleep, useFaultCluster, warmUp } from '../faults/harness/scenario';
import { CliResult, modelsCli } from './models-cli';
import { inPhase, Phase, versionViolations } from './phases';
import { versionStore, VersionStore } from './store-copy';

const CANARY_PERCENT = 10;
/** Answers counted in the canary phase before its split is judged (the figure). */
const CANARY_SAMPLES = 2000;

/**
 * Model versions under load (the fault tests' harness: real gateway, 2 lgbm actors, private Redis):
 * a canary at 10 % (admin HTTP route), a promotion, a shadow, an actor killed and restarted, a
 * corrupt version and one for another feature set refused, and a rollback (the CLI), while 8
 * clients upload without pause. Zero failed requests, and every answer names the version the state
 * named while it was sent and answered (a request in flight across a switch may name either side).
 */
describeFaults('model versions under load: canary, promote, shadow, kill, refusals, rollback', {}, () => {
  const fc = useFaultCluster();
  let store: VersionStore;
  beforeAll(() => {
    store = versionStore();
  });
  afterAll(() => store?.remove());

  const waitFor = async <T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 240_000): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await read();
      if (ok(v)) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 500)}`);
      await sleep(200);
    }
  };

  it('2 lgbm actors, 8 clients: 0 failed requests, answers as the state says at each moment, a killed actor back on the serving version', async () => {
    const c = await fc.start({ actors: { lgbm: 2 }, requestTimeoutMs: DEFAULT_DEADLINE_MS, modelsDir: store.dir });
    const env = { REDIS_URL: c.redisUrl, MODELS_DIR: store.dir };
    const cli = async (...args: string[]) => modelsCli(args, env);
    const base = await warmUp(c, fc.photos, [{ path: '/predict_lgbm', concurrency: 8 }]);
    const run = load(c, fc.photos, { path: '/predict_lgbm', concurrency: 8, durationMs: 600_000 });
    const t0 = Date.now();
    const phases: Phase[] = [];
    let last = t0;
    const phase = (name: string, cmd: { start: number; end: number }, versions: string[]) => {
      if (phases.length === 0) phases.push({ name: 'default', from: t0, to: cmd.start, versions: [store.def] });
      else phases[phases.length - 1].to = cmd.start;
      phases.push({ name, from: cmd.end, to: Number.MAX_SAFE_INTEGER, versions });
      last = cmd.end;
    };
    const answeredSince = (t: number, n: number) => waitFor(`${n} answers after ${t}`, async () => run.samples.filter((s) => s.start >= t).length, (k) => k >= n);
    await answeredSince(t0, 50);

    // canary at 10 % through the admin route
    const canaryStart = Date.now();
    const canaryRes = await fetch(`${c.base}/admin/models/lgbm/canary`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version: store.next, percent: CANARY_PERCENT }) });
    const canaryBody = (await canaryRes.json()) as { state: { canary?: { version: string; percent: number } }; actors: number; switched: number };
    expect({ status: canaryRes.status, canary: canaryBody.state.canary, switched: canaryBody.switched }).toEqual({ status: 200, canary: { version: store.next, percent: CANARY_PERCENT }, switched: 2 });
    phase('canary', { start: canaryStart, end: Date.now() }, [store.def, store.next]);
    await answeredSince(last, CANARY_SAMPLES);

    const promote = await cli('promote', 'lgbm', store.next);
    expect({ code: promote.code, stderr: promote.stderr }).toEqual({ code: 0, stderr: '' });
    expect(promote.stdout).toMatch(/2\/2 live actors switched/);
    phase('promoted', promote, [store.next]);
    await answeredSince(last, 100);

    const shadow = await cli('shadow', 'lgbm', store.def, '--json');
    expect(shadow.code).toBe(0);
    phase('shadow', shadow, [store.next]);
    // The shadow runs the same model file as the serving one: it must agree on every comparison.
    const listing = await waitFor(
      'shadow comparisons',
      async () => (await (await fetch(`${c.base}/admin/models`)).json()) as { models: Array<{ type: string; shadow?: { compared: number; agreed: number; by_label: Record<string, { compared: number }> } }> },
      (l) => (l.models.find((m) => m.type === 'lgbm')?.shadow?.compared ?? 0) >= 50,
    );
    const shadowStats = listing.models.find((m) => m.type === 'lgbm')!.shadow!;
    expect(shadowStats.agreed).toBe(shadowStats.compared);
    const metrics = await (await fetch(`${c.base}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`cataract_shadow_compared\\{model="lgbm",version="${store.def}",label="all"\\} [1-9]`));
    expect(metrics).toMatch(new RegExp(`cataract_version_answers_total\\{model="lgbm",version="${store.next}",prediction="(cataract|normal)"\\} [1-9]`));

    // A killed actor comes back on the serving version (from Redis), not on the default.
    const victim = c.liveActors('lgbm')[0];
    victim.child.kill('SIGKILL');
    const replacement = await c.addActor('lgbm');
    const h = await waitForHealth(c.base, (x) => (x.actors.lgbm ?? []).some((a) => a.pid === replacement.pid && a.pid !== victim.pid), { timeoutMs: 60_000 });
    const back = h.actors.lgbm.find((a) => a.pid === replacement.pid)!;
    expect(back.versions).toMatchObject({ serving: store.next });
    expect(back.versions!.loaded).toEqual(expect.arrayContaining([store.next, store.def])); // serving + shadow
    await answeredSince(Date.now(), 100);

    // Refused: nothing changes, the serving version keeps answering.
    const refusals: CliResult[] = [await cli('promote', 'lgbm', store.corrupt), await cli('promote', 'lgbm', store.oldFeatures), await cli('promote', 'lgbm', 'no-such-version')];
    expect(refusals.map((r) => r.code)).toEqual([1, 1, 1]);
    expect(refusals[0].stderr).toMatch(/refused \(checksum_mismatch\): sha256 of .*model\.txt/);
    expect(refusals[1].stderr).toMatch(/refused \(unsupported_feature_set\)/);
    expect(refusals[2].stderr).toMatch(/refused \(unknown_version\)/);
    await answeredSince(Date.now(), 100);

    const rollback = await cli('rollback', 'lgbm');
    expect(rollback.code).toBe(0);
    phase('rolled back', rollback, [store.def]);
    await answeredSince(last, 200);
    run.stop();
    const samples = await run.done;

    const list = await cli('list');
    expect(list.stdout).toMatch(new RegExp(`lgbm: serving ${store.def} \\(cluster state\\), previous ${store.next}`));

    const canary = inPhase(samples, phases.find((p) => p.name === 'canary')!);
    const share = canary.filter((s) => s.modelVersion === store.next).length / canary.length;
    const report: ScenarioReport = {
      scenario: 'model-versions',
      setup: { actors: { lgbm: 2 }, concurrency: 8, deadlineMs: DEFAULT_DEADLINE_MS, versions: store },
      loads: { '/predict_lgbm': summarize(samples) },
      notes: { canary: { answers: canary.length, share }, shadow: shadowStats, phases: phases.map((p) => ({ ...p, answers: inPhase(samples, p).length })) },
    };
    await expectCleanAfter(c, base, report);

    expect(summarize(samples).byOutcome).toEqual({ 200: samples.length });
    expect(hangs(samples, DEFAULT_DEADLINE_MS)).toEqual([]);
    expect(versionViolations(samples, phases)).toEqual([]);
    expect(samples.some((s) => s.modelVersion === store.corrupt || s.modelVersion === store.oldFeatures)).toBe(false);
    expect(canary.length).toBeGreaterThanOrEqual(CANARY_SAMPLES);
    expect(Math.abs(share - CANARY_PERCENT / 100)).toBeLessThanOrEqual(0.03);
    for (const p of phases) expect({ phase: p.name, answered: inPhase(samples, p).length > 0 }).toEqual({ phase: p.name, answered: true });
  }, 900_000);
});
