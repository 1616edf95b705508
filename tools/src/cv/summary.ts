/**
 * Figures of a repeated grouped cross-validation from its out-of-fold predictions: mean and spread
 * over the k x repeats held-out folds and over the repeats' pooled out-of-fold sets, plus
 * cross-fitted calibration (each fold's Platt fit uses only the other folds' out-of-fold
 * predictions, so calibrated out-of-fold figures are held-out figures too).
 */
import type { Calibration } from '@cataract/contracts';
import { binaryMetrics } from '../common/metrics';
import { applyCalibration, expectedCalibrationError, fitPlatt, logLoss } from './calibration';
import { foldSplit, type FoldPlan } from './folds';

export interface Spread {
  mean: number;
  sd: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, sd, min: Math.min(...values), max: Math.max(...values) };
}

export interface CvFigures {
  /** Over the k x repeats held-out folds. */
  per_fold: { accuracy: Spread; auc: Spread };
  /** Over the repeats, each scoring all photos out of fold. */
  per_repeat: { accuracy: Spread; auc: Spread; log_loss: Spread; ece: Spread };
  /** Errors per repeat: photos on the wrong side of the threshold. */
  errors: { false_cataract: Spread; missed_cataract: Spread };
}

/** `oof[r][i]`: P(cataract) of photo i from the fold of repeat r that held it out. */
export function cvFigures(plan: FoldPlan, labels: ArrayLike<number>, oof: readonly ArrayLike<number>[], threshold: number): CvFigures {
  const foldAcc: number[] = [];
  const foldAuc: number[] = [];
  const rep = { accuracy: [] as number[], auc: [] as number[], log_loss: [] as number[], ece: [] as number[], fp: [] as number[], fn: [] as number[] };
  for (let r = 0; r < plan.repeats; r++) {
    for (let f = 0; f < plan.k; f++) {
      const { held } = foldSplit(plan, r, f);
      const m = binaryMetrics(held.map((i) => oof[r][i]), held.map((i) => labels[i]), threshold);
      foldAcc.push(m.accuracy);
      foldAuc.push(m.auc);
    }
    const m = binaryMetrics(oof[r], labels, threshold);
    rep.accuracy.push(m.accuracy);
    rep.auc.push(m.auc);
    rep.log_loss.push(logLoss(oof[r], labels));
    rep.ece.push(expectedCalibrationError(oof[r], labels));
    rep.fp.push(m.confusion.fp);
    rep.fn.push(m.confusion.fn);
  }
  return {
    per_fold: { accuracy: spread(foldAcc), auc: spread(foldAuc) },
    per_repeat: { accuracy: spread(rep.accuracy), auc: spread(rep.auc), log_loss: spread(rep.log_loss), ece: spread(rep.ece) },
    errors: { false_cataract: spread(rep.fp), missed_cataract: spread(rep.fn) },
  };
}

/**
 * Cross-fitted Platt calibration of out-of-fold predictions: within each repeat, fold f's photos are
 * calibrated by a fit on the other folds' out-of-fold predictions. `also` (e.g. the same photos
 * re-encoded) is mapped by the same per-fold fits.
 */
export function crossFitCalibration(
  plan: FoldPlan,
  labels: ArrayLike<number>,
  raw: readonly ArrayLike<number>[],
  also: readonly ArrayLike<number>[] = [],
): { calibrated: number[][]; alsoCalibrated: number[][] } {
  const calibrated = raw.map((r) => new Array<number>(r.length));
  const alsoCalibrated = also.map((r) => new Array<number>(r.length));
  for (let r = 0; r < plan.repeats; r++) {
    for (let f = 0; f < plan.k; f++) {
      const { fit, held } = foldSplit(plan, r, f);
      const c = fitPlatt(fit.map((i) => raw[r][i]), fit.map((i) => labels[i]));
      const out = applyCalibration(held.map((i) => raw[r][i]), c);
      held.forEach((i, k) => (calibrated[r][i] = out[k]));
      if (also[r]) applyCalibration(held.map((i) => also[r][i]), c).forEach((v, k) => (alsoCalibrated[r][held[k]] = v));
    }
  }
  return { calibrated, alsoCalibrated };
}

/** The served calibration: one Platt fit on every repeat's out-of-fold predictions pooled. */
export function pooledPlatt(labels: ArrayLike<number>, raw: readonly ArrayLike<number>[]): Calibration {
  const p: number[] = [];
  const y: number[] = [];
  for (const r of raw) for (let i = 0; i < r.length; i++) {
    p.push(r[i]);
    y.push(labels[i]);
  }
  return fitPlatt(p, y);
}

export const pct = (x: number, digits = 2) => `${(x * 100).toFixed(digits)} %`;
/** "97.48 % ± 0.51" (sd over folds or repeats). */
export const fmtPct = (s: Spread) => `${(s.mean * 100).toFixed(2)} % ± ${(s.sd * 100).toFixed(2)}`;
export const fmtNum = (s: Spread, digits = 4) => `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)}`;

/** Mean over repeats of each photo's out-of-fold value. */
export function meanOverRepeats(oof: readonly ArrayLike<number>[]): number[] {
  return Array.from({ length: oof[0].length }, (_, i) => oof.reduce((s, r) => s + r[i], 0) / oof.length);
}
