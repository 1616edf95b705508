/**
 * Chooses the head's L2 strength by k-fold cross-validation on the training photos only. Folds are
 * grouped by source photo (a photo and its augmented copies always fall in the same fold, otherwise
 * the copies would leak) and stratified by label.
 */
import { shuffled } from '../common';
import { fitLogisticRegression, predictProba, type Matrix } from './logistic-regression';

export interface CvScore {
  l2: number;
  logLoss: number;
  accuracy: number;
}

/** Fold index per row: groups are dealt round-robin to folds within each label, in seeded order. */
export function groupedStratifiedFolds(groups: readonly string[], labels: ArrayLike<number>, k: number, seed: number): Int32Array {
  const labelOf = new Map<string, number>();
  groups.forEach((g, i) => labelOf.set(g, labels[i]));
  const foldOf = new Map<string, number>();
  for (const label of [...new Set(labelOf.values())].sort()) {
    const ids = [...labelOf.keys()].filter((g) => labelOf.get(g) === label).sort();
    shuffled(ids, seed + label).forEach((g, i) => foldOf.set(g, i % k));
  }
  return Int32Array.from(groups, (g) => foldOf.get(g)!);
}

export function crossValidateL2(
  x: Matrix,
  labels: ArrayLike<number>,
  groups: readonly string[],
  grid: readonly number[],
  opts: { folds: number; seed: number; onScore?: (s: CvScore) => void },
): CvScore[] {
  const fold = groupedStratifiedFolds(groups, labels, opts.folds, opts.seed);
  const scores: CvScore[] = [];
  // Strongest penalty first so each fold's fit can warm-start the next (weaker) one.
  const order = [...grid].sort((a, b) => b - a);
  const warm: (Float64Array | undefined)[] = new Array(opts.folds);
  for (const l2 of order) {
    let loss = 0;
    let correct = 0;
    let count = 0;
    for (let f = 0; f < opts.folds; f++) {
      const train: number[] = [];
      const test: number[] = [];
      for (let i = 0; i < x.rows; i++) (fold[i] === f ? test : train).push(i);
      const fit = fitLogisticRegression(x, labels, train, { l2, init: warm[f] });
      warm[f] = Float64Array.from([...fit.model.weights, fit.model.bias]);
      const p = predictProba(fit.model, x, test);
      test.forEach((r, i) => {
        const q = Math.min(Math.max(p[i], 1e-12), 1 - 1e-12);
        loss -= labels[r] === 1 ? Math.log(q) : Math.log(1 - q);
        if ((p[i] >= 0.5 ? 1 : 0) === labels[r]) correct++;
        count++;
      });
    }
    const score = { l2, logLoss: loss / count, accuracy: correct / count };
    opts.onScore?.(score);
    scores.push(score);
  }
  return scores;
}
