/**
 * node tools/dist/study-calibration.js (npm run study:calibration)
 * Compares calibration maps of the committed models' out-of-fold predictions, without retraining:
 * each map is cross-fitted like the trainers' Platt (within a repeat, a fold's photos are mapped by a
 * fit on the other folds' out-of-fold predictions, the folds recorded in oof-predictions.json), and
 * the ensemble's combiner and its post-calibration are both refitted inside the folds (the map of a
 * held-out fold is fitted on inner out-of-fold combiner outputs of the other folds). Prints ECE,
 * log-loss, Brier score and accuracy per repeat (mean ± sd), then how noisy the ECE itself is on
 * these photos: the ECE a perfectly calibrated model with the same predicted probabilities would
 * show (labels drawn y ~ Bernoulli(p)), a bootstrap over near-duplicate groups, and paired
 * bootstrap differences of each map against the served one.
 */
import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { defaultVersionDir } from '@cataract/model-store';
import { createRng } from '@cataract/gbdt-trainer';
import { intOption, parseCli, repoRoot, reproduceCommand, runCli } from './common';
import { binaryMetrics } from './common/metrics';
import { expectedCalibrationError, logLoss } from './cv/calibration';
import { CALIBRATOR_NAMES, crossFitCalibrator, type CalibratorName } from './cv/calibrators';
import { readOofFile, type OofFile } from './cv/oof-file';
import { spread, type Spread } from './cv/summary';
import { combine, fitCombiner, type CombinerKind, type MemberP } from './ensemble/combiners';
import { joinMembers, nestedPredictions, planOf } from './ensemble/evaluate';

const CLI = {
  models: { type: 'string', description: 'MODELS_DIR with lgbm/, clip/ and ensemble.json', default: path.relative(process.cwd(), path.join(repoRoot, 'models')) || '.' },
  lgbm: { type: 'string', description: "an lgbm oof-predictions.json (default: the default version's)" },
  clip: { type: 'string', description: "a clip oof-predictions.json (default: the default version's)" },
  draws: { type: 'string', description: 'label draws and bootstrap resamples for the noise figures', default: '2000' },
  seed: { type: 'string', description: 'seed of the draws and resamples', default: '7' },
  json: { type: 'string', description: 'also write every figure as JSON to this file' },
} as const;

const THRESHOLD = 0.5;
const GOAL = 0.03;

interface Study {
  name: string;
  labels: number[];
  groups: number[];
  folds: number[][];
  k: number;
  /** Served map today. */
  served: CalibratorName;
  /** predictions[method][repeat][photo], all out of fold. */
  predictions: Record<CalibratorName, number[][]>;
}

interface Figures {
  ece: Spread;
  log_loss: Spread;
  brier: Spread;
  accuracy: Spread;
}

const brier = (p: ArrayLike<number>, y: ArrayLike<number>) => Array.from(p).reduce((s, v, i) => s + (v - y[i]) ** 2, 0) / p.length;

function figures(p: number[][], y: number[]): Figures {
  return {
    ece: spread(p.map((r) => expectedCalibrationError(r, y))),
    log_loss: spread(p.map((r) => logLoss(r, y))),
    brier: spread(p.map((r) => brier(r, y))),
    accuracy: spread(p.map((r) => binaryMetrics(r, y, THRESHOLD).accuracy)),
  };
}

function memberStudy(name: string, file: OofFile, served: CalibratorName): Study {
  const rows = file.predictions;
  const labels = rows.map((x) => (x.label === 'cataract' ? 1 : 0));
  const folds = rows.map((x) => x.folds);
  const raw = Array.from({ length: file.cross_validation.repeats }, (_, r) => rows.map((x) => x.raw[r]));
  const predictions = Object.fromEntries(CALIBRATOR_NAMES.map((m) => [m, crossFitCalibrator(m, raw, labels, folds, file.cross_validation.k)])) as Record<CalibratorName, number[][]>;
  return { name, labels, groups: rows.map((x) => x.group), folds, k: file.cross_validation.k, served, predictions };
}

/**
 * The ensemble's combiner on the members' served (cross-fitted calibrated) out-of-fold P, refitted
 * per held-out fold as train:ensemble scores it, then each post-calibration fitted on the other
 * folds' inner out-of-fold combiner outputs (combiner refitted without the held-out fold and the
 * inner fold), so neither the combiner nor the map ever saw the photos it is scored on.
 */
function ensembleStudy(kind: CombinerKind, lgbm: OofFile, clip: OofFile): Study {
  const rows = joinMembers(lgbm, clip);
  const { k, repeats, seed } = lgbm.cross_validation;
  const labels = rows.map((x) => x.label);
  const folds = rows.map((x) => x.folds);
  const member = (i: number, r: number): MemberP => ({ lgbm: rows[i].lgbm.p[r], clip: rows[i].clip.p[r] });
  const nested = nestedPredictions(kind, rows, planOf(rows, k, seed)).p;
  // inner[r][f][i]: photo i (fold g != f) scored by a combiner fitted without folds f and g.
  const inner = Array.from({ length: repeats }, () => Array.from({ length: k }, () => new Array<number>(rows.length)));
  for (let r = 0; r < repeats; r++) {
    for (let f = 0; f < k; f++) {
      for (let g = 0; g < k; g++) {
        if (g === f) continue;
        const idx = labels.map((_, i) => i).filter((i) => folds[i][r] !== f && folds[i][r] !== g);
        const c = fitCombiner(kind, idx.map((i) => member(i, r)), idx.map((i) => labels[i]));
        labels.forEach((_, i) => folds[i][r] === g && (inner[r][f][i] = combine(c, member(i, r))));
      }
    }
  }
  const fitScores = (r: number, f: number) => {
    const idx = labels.map((_, i) => i).filter((i) => folds[i][r] !== f);
    return { idx, s: idx.map((i) => inner[r][f][i]) };
  };
  const predictions = Object.fromEntries(CALIBRATOR_NAMES.map((m) => [m, crossFitCalibrator(m, nested, labels, folds, k, fitScores)])) as Record<CalibratorName, number[][]>;
  return { name: `ensemble (${kind})`, labels, groups: lgbm.predictions.map((x) => x.group), folds, k, served: 'none', predictions };
}

interface Noise {
  /**
   * Mean-over-repeats ECE of a perfectly calibrated model with these P: one label per photo drawn
   * y ~ Bernoulli(mean P over the repeats) and shared by the repeats, as the real labels are
   * (independent_draws_*: a fresh y ~ Bernoulli(p) per repeat instead, which narrows the spread).
   */
  null_ece: { mean: number; p5: number; p95: number; share_above_goal: number; share_at_least_observed: number; independent_draws_mean: number; independent_draws_p95: number; independent_draws_at_least_observed: number };
  /** Observed mean ECE, 95 % interval over a bootstrap of near-duplicate groups. */
  bootstrap_ece: { p2_5: number; p97_5: number; share_above_goal: number };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
};

function meanEce(p: number[][], y: ArrayLike<number>, idx?: number[]): number {
  return p.reduce((s, row) => s + (idx ? expectedCalibrationError(idx.map((i) => row[i]), idx.map((i) => y[i])) : expectedCalibrationError(row, y)), 0) / p.length;
}

/** Photo indices of a bootstrap resample of the near-duplicate groups (a group's photos move together). */
function groupResampler(groups: number[], rng: () => number): () => number[] {
  const members = new Map<number, number[]>();
  groups.forEach((g, i) => members.set(g, [...(members.get(g) ?? []), i]));
  const list = [...members.values()];
  return () => {
    const idx: number[] = [];
    for (let k = 0; k < list.length; k++) idx.push(...list[Math.floor(rng() * list.length)]);
    return idx;
  };
}

function noise(p: number[][], y: number[], groups: number[], draws: number, seed: number): Noise {
  const rng = createRng(seed);
  const observed = meanEce(p, y);
  const nul: number[] = [];
  const indep: number[] = [];
  const pMean = y.map((_, i) => p.reduce((s, row) => s + row[i], 0) / p.length);
  for (let d = 0; d < draws; d++) {
    // One label per photo shared by the repeats, as the real labels are, drawn from its mean P.
    const drawn = pMean.map((v) => (rng() < v ? 1 : 0));
    nul.push(meanEce(p, drawn));
    indep.push(p.reduce((s, row) => s + expectedCalibrationError(row, row.map((v) => (rng() < v ? 1 : 0))), 0) / p.length);
  }
  const resample = groupResampler(groups, createRng(seed + 1));
  const boot: number[] = [];
  for (let d = 0; d < draws; d++) boot.push(meanEce(p, y, resample()));
  return {
    null_ece: {
      mean: nul.reduce((a, b) => a + b, 0) / draws,
      p5: quantile(nul, 0.05),
      p95: quantile(nul, 0.95),
      share_above_goal: nul.filter((v) => v > GOAL).length / draws,
      share_at_least_observed: nul.filter((v) => v >= observed).length / draws,
      independent_draws_mean: indep.reduce((a, b) => a + b, 0) / draws,
      independent_draws_p95: quantile(indep, 0.95),
      independent_draws_at_least_observed: indep.filter((v) => v >= observed).length / draws,
    },
    bootstrap_ece: { p2_5: quantile(boot, 0.025), p97_5: quantile(boot, 0.975), share_above_goal: boot.filter((v) => v > GOAL).length / draws },
  };
}

/** Paired group bootstrap of (method - served) in mean ECE and mean log-loss. */
function pairedDifference(s: Study, method: CalibratorName, draws: number, seed: number) {
  const resample = groupResampler(s.groups, createRng(seed));
  const a = s.predictions[method];
  const b = s.predictions[s.served];
  const loss = (p: number[][], idx: number[]) => p.reduce((t, row) => t + logLoss(idx.map((i) => row[i]), idx.map((i) => s.labels[i])), 0) / p.length;
  const dEce: number[] = [];
  const dLoss: number[] = [];
  for (let d = 0; d < draws; d++) {
    const idx = resample();
    dEce.push(meanEce(a, s.labels, idx) - meanEce(b, s.labels, idx));
    dLoss.push(loss(a, idx) - loss(b, idx));
  }
  return {
    ece: { p2_5: quantile(dEce, 0.025), p97_5: quantile(dEce, 0.975), share_lower: dEce.filter((v) => v < 0).length / draws },
    log_loss: { p2_5: quantile(dLoss, 0.025), p97_5: quantile(dLoss, 0.975), share_lower: dLoss.filter((v) => v < 0).length / draws },
  };
}

const f4 = (s: Spread) => `${s.mean.toFixed(4)} ± ${s.sd.toFixed(4)}`;
const pc = (s: Spread) => `${(s.mean * 100).toFixed(2)} % ± ${(s.sd * 100).toFixed(2)}`;

async function main(): Promise<void> {
  const o = parseCli('node tools/dist/study-calibration.js', CLI);
  if (!o) return;
  const draws = intOption('draws', o.draws, 2000);
  const seed = intOption('seed', o.seed, 7);
  const modelsDir = path.resolve(o.models);
  const oofPath = (name: 'lgbm' | 'clip', given?: string) => {
    if (given) return path.resolve(given);
    const dir = defaultVersionDir(modelsDir, name);
    if (!dir) throw new Error(`no default ${name} model in ${modelsDir}`);
    return path.join(dir, 'oof-predictions.json');
  };
  const files = { lgbm: await readOofFile(oofPath('lgbm', o.lgbm)), clip: await readOofFile(oofPath('clip', o.clip)) };
  const servedOf = (f: OofFile): CalibratorName => {
    const c = (f as { calibration?: { a: number; b: number } }).calibration;
    return c && !(c.a === 1 && c.b === 0) ? 'platt' : 'none';
  };
  const ensembleJson = JSON.parse(await readFile(path.join(modelsDir, 'ensemble.json'), 'utf8')) as { chosen: CombinerKind };
  const studies = [
    memberStudy(`lgbm ${files.lgbm.model}`, files.lgbm, servedOf(files.lgbm)),
    memberStudy(`clip ${files.clip.model}`, files.clip, servedOf(files.clip)),
    ensembleStudy(ensembleJson.chosen, files.lgbm, files.clip),
  ];
  const cv = files.lgbm.cross_validation;
  console.log(`calibration maps cross-fitted on out-of-fold predictions: ${cv.k}-fold x ${cv.repeats} grouped folds, ${studies[0].labels.length} photos; ECE over 10 equal-width bins`);
  console.log(`noise: ${draws} label draws y ~ Bernoulli(p) and ${draws} bootstrap resamples of near-duplicate groups, seed ${seed}\n`);
  const out: Record<string, unknown> = { command: reproduceCommand('study:calibration'), draws, seed, models: {} };
  for (const s of studies) {
    const served = s.predictions[s.served].flat();
    // The middle bins hold few photos each, so they carry most of the ECE's sampling noise.
    const middle = served.filter((v) => v >= 0.1 && v < 0.9).length / served.length;
    console.log(`## ${s.name} (served today: ${s.served}; ${(middle * 100).toFixed(1)} % of its out-of-fold P in 0.1-0.9)\n`);
    console.log('| calibration | ECE | log-loss | Brier | accuracy |');
    console.log('| --- | --- | --- | --- | --- |');
    const figs = Object.fromEntries(CALIBRATOR_NAMES.map((m) => [m, figures(s.predictions[m], s.labels)])) as Record<CalibratorName, Figures>;
    for (const m of CALIBRATOR_NAMES) {
      const x = figs[m];
      console.log(`| ${m}${m === s.served ? ' (served)' : ''} | ${f4(x.ece)} | ${f4(x.log_loss)} | ${f4(x.brier)} | ${pc(x.accuracy)} |`);
    }
    console.log('\nECE noise (mean over repeats; null = a perfectly calibrated model with the same P, one label draw per photo shared by the repeats; independent draws: one per repeat):\n');
    console.log('| calibration | observed ECE | null ECE mean [5 %, 95 %] | null > 0.03 | null >= observed | independent draws: null mean, >= observed | bootstrap 95 % interval | bootstrap > 0.03 |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    const noises = {} as Record<CalibratorName, Noise>;
    for (const m of CALIBRATOR_NAMES) {
      const n = (noises[m] = noise(s.predictions[m], s.labels, s.groups, draws, seed));
      console.log(
        `| ${m} | ${figs[m].ece.mean.toFixed(4)} | ${n.null_ece.mean.toFixed(4)} [${n.null_ece.p5.toFixed(4)}, ${n.null_ece.p95.toFixed(4)}] | ${(n.null_ece.share_above_goal * 100).toFixed(1)} % | ${(n.null_ece.share_at_least_observed * 100).toFixed(1)} % | ${n.null_ece.independent_draws_mean.toFixed(4)}, ${(n.null_ece.independent_draws_at_least_observed * 100).toFixed(1)} % | ${n.bootstrap_ece.p2_5.toFixed(4)} - ${n.bootstrap_ece.p97_5.toFixed(4)} | ${(n.bootstrap_ece.share_above_goal * 100).toFixed(1)} % |`,
      );
    }
    console.log(`\nPaired bootstrap, each map minus the served ${s.served} (95 % interval, share of resamples where the map is lower):\n`);
    console.log('| calibration | ECE difference | ECE lower | log-loss difference | log-loss lower |');
    console.log('| --- | --- | --- | --- | --- |');
    const diffs: Record<string, ReturnType<typeof pairedDifference>> = {};
    for (const m of CALIBRATOR_NAMES) {
      if (m === s.served) continue;
      const d = (diffs[m] = pairedDifference(s, m, draws, seed + 2));
      console.log(`| ${m} | ${d.ece.p2_5.toFixed(4)} - ${d.ece.p97_5.toFixed(4)} | ${(d.ece.share_lower * 100).toFixed(1)} % | ${d.log_loss.p2_5.toFixed(4)} - ${d.log_loss.p97_5.toFixed(4)} | ${(d.log_loss.share_lower * 100).toFixed(1)} % |`);
    }
    console.log('');
    (out.models as Record<string, unknown>)[s.name] = { served: s.served, figures: figs, noise: noises, paired_vs_served: diffs };
  }
  if (o.json) await writeFile(o.json, JSON.stringify(out, null, 2) + '\n');
}

runCli(main);
