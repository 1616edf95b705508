/**
 * One model's cross-validation report, the same for every trainer: figures raw and calibrated, as
 * the photos are and re-encoded at 256 px, the served Platt calibration, and the artefacts written
 * beside the model (oof-predictions.json, reliability.png) plus the model card's table.
 */
import path from 'node:path';
import type { Calibration } from '@cataract/contracts';
import { photoName } from '../common/dataset';
import { writeFileAtomic } from '../common/manifest';
import { expectedCalibrationError, reliabilityBins } from './calibration';
import type { PhotoFolds } from './photo-folds';
import { describePlan } from './photo-folds';
import { reliabilityPng } from './reliability-diagram';
import { crossFitCalibration, cvFigures, fmtNum, fmtPct, meanOverRepeats, pooledPlatt, type CvFigures } from './summary';
import { round6 } from './oof-file';

export interface CvReport {
  plan: ReturnType<typeof describePlan>;
  threshold: number;
  /** What the actor applies: Platt fitted on all repeats' raw out-of-fold predictions, or the identity (a 1, b 0) when cross-validation says the raw probabilities are better calibrated. */
  calibration: Calibration;
  /** Mean out-of-fold log-loss raw and with cross-fitted Platt; Platt is applied only when it is lower. */
  calibration_choice: { raw_log_loss: number; platt_log_loss: number; applied: boolean };
  raw: CvFigures;
  calibrated: CvFigures;
  raw_reencoded_256: CvFigures;
  calibrated_reencoded_256: CvFigures;
}

export interface CvPredictions {
  raw: ArrayLike<number>[];
  rawReencoded: ArrayLike<number>[];
  calibrated: number[][];
  calibratedReencoded: number[][];
}

export const IDENTITY_CALIBRATION: Calibration = { method: 'platt', a: 1, b: 0 };

export function buildCvReport(pf: PhotoFolds, raw: ArrayLike<number>[], rawReencoded: ArrayLike<number>[], threshold: number): { report: CvReport; predictions: CvPredictions } {
  const crossFitted = crossFitCalibration(pf.plan, pf.labels, raw, rawReencoded);
  const fig = (p: readonly ArrayLike<number>[]) => cvFigures(pf.plan, pf.labels, p, threshold);
  const rawFig = fig(raw);
  const plattFig = fig(crossFitted.calibrated);
  // Calibration is a choice like any other: kept only when it lowers the out-of-fold log-loss.
  const applied = plattFig.per_repeat.log_loss.mean < rawFig.per_repeat.log_loss.mean;
  const calibrated = applied ? crossFitted.calibrated : raw.map((r) => Array.from(r));
  const calibratedReencoded = applied ? crossFitted.alsoCalibrated : rawReencoded.map((r) => Array.from(r));
  return {
    report: {
      plan: describePlan(pf),
      threshold,
      calibration: applied ? pooledPlatt(pf.labels, raw) : IDENTITY_CALIBRATION,
      calibration_choice: { raw_log_loss: rawFig.per_repeat.log_loss.mean, platt_log_loss: plattFig.per_repeat.log_loss.mean, applied },
      raw: rawFig,
      calibrated: applied ? plattFig : rawFig,
      raw_reencoded_256: fig(rawReencoded),
      calibrated_reencoded_256: fig(calibratedReencoded),
    },
    predictions: { raw, rawReencoded, calibrated, calibratedReencoded },
  };
}

/** Writes OUT/oof-predictions.json and OUT/reliability.png. */
export async function writeCvArtefacts(outDir: string, dataDir: string, model: string, pf: PhotoFolds, r: CvReport, p: CvPredictions): Promise<void> {
  const col = (xs: ArrayLike<number>[], i: number) => xs.map((x) => round6(x[i]));
  const file = {
    model,
    cross_validation: r.plan,
    threshold: r.threshold,
    calibration: r.calibration,
    predictions: pf.images.map((img, i) => ({
      file: img.name ?? photoName(dataDir, img.path),
      label: img.label,
      group: pf.duplicates.group[i],
      folds: pf.plan.fold.map((f) => f[i]),
      raw: col(p.raw, i),
      calibrated: col(p.calibrated, i),
      raw_reencoded_256: col(p.rawReencoded, i),
      calibrated_reencoded_256: col(p.calibratedReencoded, i),
      /** Mean calibrated out-of-fold P(cataract) over the repeats (what inspect:lgbm --wrong reads). */
      p: round6(p.calibrated.reduce((s, x) => s + x[i], 0) / p.calibrated.length),
    })),
  };
  await writeFileAtomic(path.join(outDir, 'oof-predictions.json'), JSON.stringify(file) + '\n');
  await writeFileAtomic(path.join(outDir, 'reliability.png'), await reliabilityDiagram(`${model}: out-of-fold, ${r.plan.k}-fold x ${r.plan.repeats}`, pf.labels, p.raw, p.calibrated));
}

export function reliabilityDiagram(
  title: string,
  labels: ArrayLike<number>,
  raw: ArrayLike<number>[],
  calibrated: ArrayLike<number>[],
  names: [string, string] = ['raw', 'calibrated (cross-fitted Platt)'],
): Promise<Buffer> {
  const pooled = (xs: ArrayLike<number>[]) => {
    const p: number[] = [];
    const y: number[] = [];
    for (const x of xs) for (let i = 0; i < x.length; i++) {
      p.push(x[i]);
      y.push(labels[i]);
    }
    return { bins: reliabilityBins(p, y), ece: expectedCalibrationError(p, y) };
  };
  return reliabilityPng(title, [
    { name: names[0], color: '#d62728', ...pooled(raw) },
    { name: names[1], color: '#1f77b4', ...pooled(calibrated) },
  ]);
}

/** The model card's cross-validation table (markdown). */
export function calibrationLine(r: CvReport): string {
  const c = r.calibration_choice;
  return c.applied
    ? `Platt calibration lowers the out-of-fold log-loss (${c.raw_log_loss.toFixed(4)} raw -> ${c.platt_log_loss.toFixed(4)} cross-fitted), so the manifest carries it.`
    : `Platt calibration would raise the out-of-fold log-loss (${c.raw_log_loss.toFixed(4)} raw -> ${c.platt_log_loss.toFixed(4)} cross-fitted), so the manifest's calibration is the identity (a 1, b 0) and the "calibrated" columns equal the raw ones.`;
}

export function cvTable(r: CvReport): string {
  const row = (name: string, f: (x: CvFigures) => string) =>
    `| ${name} | ${f(r.raw)} | ${f(r.calibrated)} | ${f(r.raw_reencoded_256)} | ${f(r.calibrated_reencoded_256)} |`;
  return [
    '| out of fold (mean ± sd) | raw | calibrated | raw, 256 px JPEG q85 | calibrated, 256 px JPEG q85 |',
    '| --- | --- | --- | --- | --- |',
    row('accuracy, per repeat', (x) => fmtPct(x.per_repeat.accuracy)),
    row('ROC-AUC, per repeat', (x) => fmtNum(x.per_repeat.auc)),
    row('accuracy, per fold', (x) => fmtPct(x.per_fold.accuracy)),
    row('ROC-AUC, per fold', (x) => fmtNum(x.per_fold.auc)),
    row('log-loss, per repeat', (x) => fmtNum(x.per_repeat.log_loss)),
    row('ECE (10 bins), per repeat', (x) => fmtNum(x.per_repeat.ece)),
    row('false cataract / missed cataract, per repeat', (x) => `${x.errors.false_cataract.mean.toFixed(1)} / ${x.errors.missed_cataract.mean.toFixed(1)}`),
  ].join('\n');
}

/** One line for the training log. */
export function cvLine(name: string, x: CvFigures): string {
  return `${name}: accuracy ${fmtPct(x.per_repeat.accuracy)} (per fold ${fmtPct(x.per_fold.accuracy)}), AUC ${fmtNum(x.per_repeat.auc)}, ECE ${fmtNum(x.per_repeat.ece)}`;
}

export { meanOverRepeats };
