/**
 * Chooses the number of boosting iterations on the training photos only: k-fold cross-validation
 * grouped by photo (a photo and its augmented copies always sit in the same fold), each fold
 * trained for `maxIterations`, then the iteration with the lowest mean held-out log-loss wins.
 * More stable than early stopping on one small held-out split, and the reported validation
 * photos are never looked at.
 */
import { train, type Booster, type TrainParams } from '@cataract/gbdt-trainer';
import { binaryMetrics, type BinaryMetrics } from '../common';

export interface TrainRow {
  /** Index of the source photo (rows of one photo share it). */
  photo: number;
  /** true for the photo as it is, false for an augmented copy */
  original: boolean;
  features: Float64Array;
  label: 0 | 1;
}

export interface CvResult {
  folds: number;
  /** Mean held-out binary log-loss after each iteration (index 0 = 1 iteration). */
  curve: number[];
  bestIteration: number;
  bestLoss: number;
  /** Out-of-fold metrics at bestIteration on the original training photos and on their augmented copies. */
  original: BinaryMetrics;
  augmented: BinaryMetrics;
  /** Out-of-fold P(positive) at bestIteration of every original photo, by photo index: the per-photo view behind `original`. */
  outOfFold: OutOfFoldPrediction[];
}

export interface OutOfFoldPrediction {
  photo: number;
  label: 0 | 1;
  p: number;
}

export function crossValidate(
  rows: readonly TrainRow[],
  photoFold: readonly number[],
  params: Partial<TrainParams>,
  maxIterations: number,
  featureNames: readonly string[],
  log: (msg: string) => void,
): CvResult {
  const k = Math.max(...photoFold) + 1;
  const sum = new Float64Array(maxIterations);
  const weight = new Float64Array(maxIterations);
  const held: { row: TrainRow; fold: number }[] = [];
  const boosters: Booster[] = [];
  for (let f = 0; f < k; f++) {
    const inFold = (r: TrainRow) => photoFold[r.photo] === f;
    const fit = rows.filter((r) => !inFold(r));
    const out = rows.filter(inFold);
    const b = train(
      { ...params, num_iterations: maxIterations, early_stopping_rounds: 0 },
      { rows: fit.map((r) => r.features), labels: fit.map((r) => r.label) },
      { valid: { rows: out.map((r) => r.features), labels: out.map((r) => r.label) }, featureNames },
    );
    // Weight by held-out rows so the curve is the log-loss over all held-out rows.
    b.history.validLoss.forEach((loss, i) => {
      sum[i] += loss * out.length;
      weight[i] += out.length;
    });
    log(`  fold ${f + 1}/${k}: ${fit.length} rows fit, ${out.length} held out, logloss@${b.trees.length} ${b.history.validLoss.at(-1)!.toFixed(4)}`);
    boosters.push(b);
    for (const row of out) held.push({ row, fold: f });
  }
  // Iterations every fold reached (a fold stops early only if its trees could not split at all).
  const curve: number[] = [];
  for (let i = 0; i < maxIterations && weight[i] === rows.length; i++) curve.push(sum[i] / weight[i]);
  let best = 0;
  curve.forEach((v, i) => {
    if (v < curve[best]) best = i;
  });
  const bestIteration = best + 1;
  const predictions = held.map((x) => ({ row: x.row, p: boosters[x.fold].predict(x.row.features, bestIteration) }));
  const score = (sel: (r: TrainRow) => boolean) => {
    const h = predictions.filter((x) => sel(x.row));
    return binaryMetrics(
      h.map((x) => x.p),
      h.map((x) => x.row.label),
      0.5,
    );
  };
  const outOfFold = predictions
    .filter((x) => x.row.original)
    .map((x) => ({ photo: x.row.photo, label: x.row.label, p: x.p }))
    .sort((a, b) => a.photo - b.photo);
  return {
    folds: k,
    curve,
    bestIteration,
    bestLoss: curve[best],
    original: score((r) => r.original),
    augmented: score((r) => !r.original),
    outOfFold,
  };
}
