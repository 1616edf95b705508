/**
 * Repeated grouped cross-validation of the GBDT over all photos. Each fold trains on the other
 * folds' photos and their augmented copies for `maxIterations`, scoring its held-out photos (as they
 * are) after every iteration; the iteration with the lowest mean held-out log-loss over all folds of
 * all repeats is the model's iteration count, and every photo's out-of-fold P(cataract) at that
 * iteration is kept per repeat, for the photo as it is and for its 256 px re-encoded copy.
 */
import { train, type Booster, type TrainParams } from '@cataract/gbdt-trainer';
import { foldSplit, type FoldPlan } from '../cv/folds';

export interface TrainRow {
  /** Index of the source photo (rows of one photo share it). */
  photo: number;
  features: Float64Array;
  label: 0 | 1;
}

export interface CvResult {
  /** Mean held-out binary log-loss after each iteration (index 0 = 1 iteration). */
  curve: number[];
  bestIteration: number;
  bestLoss: number;
  /** raw[r][i]: out-of-fold P(cataract) of photo i (as it is) in repeat r, at bestIteration. */
  raw: Float64Array[];
  /** The same for each photo's re-encoded copy. */
  rawReencoded: Float64Array[];
}

export function crossValidate(
  rows: readonly TrainRow[],
  photos: { original: readonly Float64Array[]; reencoded: readonly Float64Array[]; labels: ArrayLike<number> },
  plan: FoldPlan,
  params: Partial<TrainParams>,
  maxIterations: number,
  featureNames: readonly string[],
  log: (msg: string) => void,
): CvResult {
  const sum = new Float64Array(maxIterations);
  const weight = new Float64Array(maxIterations);
  const boosters: { r: number; held: number[]; booster: Booster }[] = [];
  for (let r = 0; r < plan.repeats; r++) {
    for (let f = 0; f < plan.k; f++) {
      const { held } = foldSplit(plan, r, f);
      const heldSet = new Set(held);
      const fit = rows.filter((row) => !heldSet.has(row.photo));
      const b = train(
        { ...params, num_iterations: maxIterations, early_stopping_rounds: 0 },
        { rows: fit.map((x) => x.features), labels: fit.map((x) => x.label) },
        { valid: { rows: held.map((i) => photos.original[i]), labels: held.map((i) => photos.labels[i]) }, featureNames },
      );
      b.history.validLoss.forEach((loss, i) => {
        sum[i] += loss * held.length;
        weight[i] += held.length;
      });
      log(`  repeat ${r + 1} fold ${f + 1}/${plan.k}: ${fit.length} rows fit, ${held.length} photos held out, logloss@${b.trees.length} ${b.history.validLoss.at(-1)!.toFixed(4)}`);
      boosters.push({ r, held, booster: b });
    }
  }
  const n = photos.labels.length;
  const curve: number[] = [];
  for (let i = 0; i < maxIterations && weight[i] === n * plan.repeats; i++) curve.push(sum[i] / weight[i]);
  let best = 0;
  curve.forEach((v, i) => {
    if (v < curve[best]) best = i;
  });
  const bestIteration = best + 1;
  const raw = Array.from({ length: plan.repeats }, () => new Float64Array(n));
  const rawReencoded = Array.from({ length: plan.repeats }, () => new Float64Array(n));
  for (const { r, held, booster } of boosters) {
    for (const i of held) {
      raw[r][i] = booster.predict(photos.original[i], bestIteration);
      rawReencoded[r][i] = booster.predict(photos.reencoded[i], bestIteration);
    }
  }
  return { curve, bestIteration, bestLoss: curve[best], raw, rawReencoded };
}
