import { DriftCheckLevel, DriftLevel, DriftStatus, DriftVersion, INPUT_STATISTIC_NAMES, InputStatsRecord, ModelType } from '@cataract/contracts';
import { populationStabilityIndex } from '@cataract/imaging';
import type { Band, DriftSettings } from './drift-settings';
import type { VersionBaseline } from './version-baselines';
import type { VersionWindow, WindowSnapshot } from './drift-window';

export interface ReportInput {
  snapshot: WindowSnapshot;
  /** The types to report, in order. */
  models: readonly ModelType[];
  /** The version each type serves now (absent: none). */
  serving: Partial<Record<ModelType, string>>;
  baseline: (model: ModelType, version: string) => VersionBaseline;
  settings: DriftSettings;
  now: Date;
}

const RANK: Record<DriftCheckLevel, number> = { insufficient: 0, ok: 0, warn: 1, alert: 2 };
type Stat = (typeof INPUT_STATISTIC_NAMES)[number];
const perStatistic = <T>(f: (k: Stat) => T) => Object.fromEntries(INPUT_STATISTIC_NAMES.map((k) => [k, f(k)])) as Record<Stat, T>;
const round = (v: number, digits = 4) => Number(v.toFixed(digits));
const ratio = (n: number, d: number) => (d > 0 ? round(n / d) : null);

/** Higher is worse (PSI, shifts, disagreement). */
export function levelAbove(value: number, band: Band): DriftCheckLevel {
  return value >= band.alert ? 'alert' : value >= band.warn ? 'warn' : 'ok';
}

/** Lower is worse (accuracy). */
export function levelBelow(value: number, band: Band): DriftCheckLevel {
  return value < band.alert ? 'alert' : value < band.warn ? 'warn' : 'ok';
}

/**
 * GET /drift_status from a window snapshot: per model version its answers, positive rate, input
 * statistics' PSI against its reference and accuracy on reviewed labels, each judged against its
 * thresholds; the lgbm-vs-clip disagreement of ensemble answers; and the overall status, the worst
 * judgement among the serving versions and the ensemble (a check with too few answers or reviews,
 * or without a reference, says `insufficient` and counts as ok).
 */
export function driftReport(input: ReportInput): DriftStatus {
  const { settings: s } = input;
  const reasons: string[] = [];
  let worst: DriftLevel = 'ok';
  const judge = (level: DriftCheckLevel, why: string) => {
    if (level === 'warn' || level === 'alert') {
      reasons.push(`${level}: ${why}`);
      if (RANK[level] > RANK[worst]) worst = level;
    }
  };

  const models: DriftStatus['models'] = {};
  for (const model of input.models) {
    const servingVersion = input.serving[model];
    const windows = input.snapshot.versions.filter((w) => w.model === model);
    if (servingVersion && !windows.some((w) => w.version === servingVersion)) {
      windows.push({ model, version: servingVersion, answers: [], reviews: { correct: 0, wrong: 0 } });
    }
    windows.sort((a, b) => Number(b.version === servingVersion) - Number(a.version === servingVersion) || a.version.localeCompare(b.version));
    const versions = windows.map((w) => {
      const v = versionFigures(w, w.version === servingVersion, input.baseline(model, w.version), s);
      if (v.serving) {
        const maxPsi = Math.max(...Object.values(v.input.psi).map((p) => p ?? 0));
        judge(v.checks.psi, `${model} ${v.version}: input statistics PSI up to ${round(maxPsi, 3)} (warn ${s.psi.warn}, alert ${s.psi.alert})`);
        judge(v.checks.positive_rate, `${model} ${v.version}: positive rate ${v.positive_rate} vs ${v.training_positive_rate} on the training photos (shift warn ${s.positiveRateShift.warn}, alert ${s.positiveRateShift.alert})`);
        judge(v.checks.accuracy, `${model} ${v.version}: accuracy ${v.reviews.accuracy} on ${v.reviews.count} reviewed labels (warn below ${s.accuracy.warn}, alert below ${s.accuracy.alert})`);
      }
      return v;
    });
    models[model] = { serving_version: servingVersion ?? null, versions };
  }

  const ens = input.snapshot.ensemble;
  const disagreements = ens.filter((e) => e.disagree).length;
  const ensembleCheck: DriftCheckLevel = ens.length < Math.max(1, s.minAnswers) ? 'insufficient' : levelAbove(disagreements / ens.length, s.disagreementRate);
  judge(ensembleCheck, `lgbm and clip disagree on ${disagreements} of ${ens.length} ensemble answers (warn ${s.disagreementRate.warn}, alert ${s.disagreementRate.alert})`);

  return {
    status: worst,
    reasons,
    monitoring: s.enabled,
    generated_at: input.now.toISOString(),
    window: { answers: s.windowAnswers, hours: s.windowHours > 0 ? s.windowHours : null },
    thresholds: {
      min_answers: s.minAnswers,
      min_reviews: s.minReviews,
      psi: s.psi,
      positive_rate_shift: s.positiveRateShift,
      disagreement_rate: s.disagreementRate,
      accuracy: s.accuracy,
    },
    models,
    ensemble: { answers: ens.length, disagreements, disagreement_rate: ratio(disagreements, ens.length), check: ensembleCheck },
  };
}

function versionFigures(w: VersionWindow, serving: boolean, baseline: VersionBaseline, s: DriftSettings): DriftVersion {
  const answers = w.answers.length;
  const positives = w.answers.filter((a) => a.positive).length;
  const stats = w.answers.flatMap((a) => (a.stats ? [a.stats] : []));
  const enough = (n: number, min: number) => n >= Math.max(1, min);
  const ref = baseline.reference;
  const psi = perStatistic((k) => (ref && stats.length > 0 ? round(populationStabilityIndex(ref.statistics[k], stats.map((x: InputStatsRecord) => x[k]))) : null));
  const mean = perStatistic((k) => (stats.length > 0 ? round(stats.reduce((t, x) => t + x[k], 0) / stats.length, 3) : null));
  const positiveRate = answers > 0 ? positives / answers : null;
  const trainingRate = baseline.trainingPositiveRate ?? null;
  const reviewed = w.reviews.correct + w.reviews.wrong;
  const accuracy = reviewed > 0 ? w.reviews.correct / reviewed : null;
  return {
    version: w.version,
    serving,
    answers,
    positive_rate: positiveRate === null ? null : round(positiveRate),
    training_positive_rate: trainingRate === null ? null : round(trainingRate),
    input: {
      samples: stats.length,
      reference: ref ? { available: true, samples: ref.samples } : { available: false, reason: baseline.referenceProblem ?? 'no reference' },
      psi,
      mean,
    },
    reviews: { count: reviewed, correct: w.reviews.correct, accuracy: accuracy === null ? null : round(accuracy) },
    checks: {
      psi: ref && enough(stats.length, s.minAnswers) ? levelAbove(Math.max(...Object.values(psi).map((p) => p ?? 0)), s.psi) : 'insufficient',
      positive_rate:
        positiveRate !== null && trainingRate !== null && enough(answers, s.minAnswers) ? levelAbove(Math.abs(positiveRate - trainingRate), s.positiveRateShift) : 'insufficient',
      accuracy: accuracy !== null && enough(reviewed, s.minReviews) ? levelBelow(accuracy, s.accuracy) : 'insufficient',
    },
  };
}
