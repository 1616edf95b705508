import { DriftStatusSchema, InputStatsRecord } from '@cataract/contracts';
import { buildReferenceStats, LGBM_STATS_VIEW } from '@cataract/imaging';
import { driftReport, levelAbove, levelBelow, loadDriftSettings, ReportInput, VersionBaseline, VersionWindow } from '../src/drift';

const settings = loadDriftSettings({ DRIFT_MIN_ANSWERS: '20', DRIFT_MIN_REVIEWS: '10' });
const stats = (i: number, shift = 0): InputStatsRecord => ({ long_side: 512, brightness: 100 + (i % 50) + shift, colourfulness: 30 + (i % 20), sharpness: 300 + 10 * (i % 40) });
const reference = buildReferenceStats(Array.from({ length: 400 }, (_, i) => stats(i)), LGBM_STATS_VIEW) as unknown as VersionBaseline['reference'];
const baseline: VersionBaseline = { reference, trainingPositiveRate: 0.5 };

function window(version: string, n: number, opts: { positive?: number; shift?: number; correct?: number; wrong?: number } = {}): VersionWindow {
  const positives = Math.round(n * (opts.positive ?? 0.5));
  return {
    model: 'lgbm',
    version,
    answers: Array.from({ length: n }, (_, i) => ({ at: 1_000 + i, positive: i < positives, stats: stats(i * 7, opts.shift ?? 0) })),
    reviews: { correct: opts.correct ?? 0, wrong: opts.wrong ?? 0 },
  };
}

const input = (over: Partial<ReportInput>): ReportInput => ({
  snapshot: { versions: [], ensemble: [] },
  models: ['lgbm'],
  serving: { lgbm: 'v1' },
  baseline: () => baseline,
  settings,
  now: new Date('2026-12-07T12:00:00Z'),
  ...over,
});

describe('threshold levels', () => {
  it('higher is worse for PSI and shifts, lower is worse for accuracy; the threshold itself counts', () => {
    const band = { warn: 0.1, alert: 0.25 };
    expect([0.05, 0.1, 0.2, 0.25, 3].map((v) => levelAbove(v, band))).toEqual(['ok', 'warn', 'warn', 'alert', 'alert']);
    const acc = { warn: 0.85, alert: 0.75 };
    expect([0.95, 0.85, 0.8, 0.75, 0.5].map((v) => levelBelow(v, acc))).toEqual(['ok', 'ok', 'warn', 'warn', 'alert']);
  });
});

describe('driftReport', () => {
  it('an empty window: ok, the serving version listed with no answers and its reference available', () => {
    const r = DriftStatusSchema.parse(driftReport(input({})));
    expect(r.status).toBe('ok');
    expect(r.models.lgbm).toMatchObject({ serving_version: 'v1', versions: [{ version: 'v1', serving: true, answers: 0, positive_rate: null }] });
    expect(r.models.lgbm!.versions[0].input.reference).toEqual({ available: true, samples: 400 });
    expect(r.models.lgbm!.versions[0].checks).toEqual({ psi: 'insufficient', positive_rate: 'insufficient', accuracy: 'insufficient' });
    expect(r.window).toEqual({ answers: 1000, hours: 24 });
  });

  it('inputs like the training photos and a steady positive rate: ok with small PSI', () => {
    const r = driftReport(input({ snapshot: { versions: [window('v1', 100)], ensemble: [] } }));
    const v = r.models.lgbm!.versions[0];
    expect(v).toMatchObject({ answers: 100, positive_rate: 0.5, training_positive_rate: 0.5, input: { samples: 100 } });
    expect(Math.max(...Object.values(v.input.psi).map(Number))).toBeLessThan(0.1);
    expect(v.checks).toMatchObject({ psi: 'ok', positive_rate: 'ok' });
    expect(r.status).toBe('ok');
    expect(r.reasons).toEqual([]);
  });

  it('much brighter photos alert on PSI and say which version and why', () => {
    const r = driftReport(input({ snapshot: { versions: [window('v1', 100, { shift: 80 })], ensemble: [] } }));
    expect(r.models.lgbm!.versions[0].input.psi.brightness).toBeGreaterThan(0.25);
    expect(r.status).toBe('alert');
    expect(r.reasons.join('\n')).toMatch(/alert: lgbm v1: input statistics PSI/);
  });

  it('a positive rate 0.2 off the training share warns; accuracy on reviews alerts below its threshold', () => {
    const shifted = driftReport(input({ snapshot: { versions: [window('v1', 100, { positive: 0.7 })], ensemble: [] } }));
    expect(shifted.models.lgbm!.versions[0].checks.positive_rate).toBe('warn');
    expect(shifted.status).toBe('warn');
    const wrong = driftReport(input({ snapshot: { versions: [window('v1', 100, { correct: 6, wrong: 4 })], ensemble: [] } }));
    expect(wrong.models.lgbm!.versions[0].reviews).toEqual({ count: 10, correct: 6, accuracy: 0.6 });
    expect(wrong.status).toBe('alert');
  });

  it('too few answers or reviews judge nothing (insufficient), however far off they look', () => {
    const r = driftReport(input({ snapshot: { versions: [window('v1', 19, { shift: 80, positive: 1, correct: 0, wrong: 9 })], ensemble: [] } }));
    expect(r.models.lgbm!.versions[0].checks).toEqual({ psi: 'insufficient', positive_rate: 'insufficient', accuracy: 'insufficient' });
    expect(r.status).toBe('ok');
  });

  it('only the serving version sets the status: an old version that drifted is reported, not judged', () => {
    const r = driftReport(input({ snapshot: { versions: [window('v0', 100, { shift: 80 }), window('v1', 100)], ensemble: [] } }));
    expect(r.models.lgbm!.versions.map((v) => [v.version, v.serving, v.checks.psi])).toEqual([
      ['v1', true, 'ok'],
      ['v0', false, 'alert'],
    ]);
    expect(r.status).toBe('ok');
  });

  it('a version without reference-stats.json says why, and its PSI is null, not a failure', () => {
    const r = driftReport(input({ baseline: () => ({ referenceProblem: 'version v1 ships no reference-stats.json', trainingPositiveRate: 0.5 }), snapshot: { versions: [window('v1', 100)], ensemble: [] } }));
    const v = r.models.lgbm!.versions[0];
    expect(v.input.reference).toEqual({ available: false, reason: 'version v1 ships no reference-stats.json' });
    expect(v.input.psi.brightness).toBeNull();
    expect(v.input.mean.brightness).not.toBeNull();
    expect(v.checks.psi).toBe('insufficient');
    DriftStatusSchema.parse(r);
  });

  it('ensemble disagreement: warn at 25 %, alert at 40 % (defaults), insufficient under the minimum', () => {
    const answers = (n: number, d: number) => Array.from({ length: n }, (_, i) => ({ at: i, disagree: i < d }));
    expect(driftReport(input({ snapshot: { versions: [], ensemble: answers(100, 10) } })).ensemble).toEqual({ answers: 100, disagreements: 10, disagreement_rate: 0.1, check: 'ok' });
    expect(driftReport(input({ snapshot: { versions: [], ensemble: answers(100, 30) } })).status).toBe('warn');
    expect(driftReport(input({ snapshot: { versions: [], ensemble: answers(100, 45) } })).status).toBe('alert');
    expect(driftReport(input({ snapshot: { versions: [], ensemble: answers(10, 9) } })).ensemble.check).toBe('insufficient');
  });
});
