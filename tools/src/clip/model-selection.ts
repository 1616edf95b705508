/**
 * The clip head's L2 strength by repeated grouped cross-validation over all photos: each fold fits on
 * the other folds' photos and their augmented copies and scores its held-out photos as they are;
 * the L2 with the lowest mean held-out log-loss wins, and its out-of-fold P(cataract) per repeat
 * (plain and for each photo's 256 px re-encoded copy) is the model's out-of-fold record.
 */
import { foldSplit, type FoldPlan } from '../cv/folds';
import { logLoss } from '../cv/calibration';
import { fitLogisticRegression, predictProba, type Matrix } from './logistic-regression';

export interface CvScore {
  l2: number;
  /** Mean over repeats of the out-of-fold log-loss / accuracy of the photos as they are. */
  logLoss: number;
  accuracy: number;
}

export interface HeadRows {
  x: Matrix;
  labels: ArrayLike<number>;
  /** Photo index of every row of x. */
  photo: ArrayLike<number>;
  /** Row of x holding each photo as it is, and its 256 px re-encoded copy (scored, never fitted). */
  originalRow: ArrayLike<number>;
  reencodedRow: ArrayLike<number>;
  /** Rows used for fitting (the photos and their augmented copies, not the re-encoded scoring copies). */
  fitRows: readonly number[];
}

export interface HeadCv {
  scores: CvScore[];
  best: CvScore;
  raw: Float64Array[];
  rawReencoded: Float64Array[];
}

export function crossValidateHead(d: HeadRows, photoLabels: ArrayLike<number>, plan: FoldPlan, grid: readonly number[], onScore?: (s: CvScore) => void): HeadCv {
  const n = photoLabels.length;
  const byL2 = new Map<number, { raw: Float64Array[]; re: Float64Array[] }>();
  const scores: CvScore[] = [];
  // Strongest penalty first so each fold's fit can warm-start the next (weaker) one.
  const order = [...grid].sort((a, b) => b - a);
  const warm = new Map<string, Float64Array>();
  for (const l2 of order) {
    const raw = Array.from({ length: plan.repeats }, () => new Float64Array(n));
    const re = Array.from({ length: plan.repeats }, () => new Float64Array(n));
    for (let r = 0; r < plan.repeats; r++) {
      for (let f = 0; f < plan.k; f++) {
        const { held } = foldSplit(plan, r, f);
        const heldSet = new Set(held);
        const fitRows = d.fitRows.filter((row) => !heldSet.has(d.photo[row]));
        const key = `${r}/${f}`;
        const fit = fitLogisticRegression(d.x, d.labels, fitRows, { l2, init: warm.get(key) });
        warm.set(key, Float64Array.from([...fit.model.weights, fit.model.bias]));
        const p = predictProba(fit.model, d.x, held.map((i) => d.originalRow[i]));
        const q = predictProba(fit.model, d.x, held.map((i) => d.reencodedRow[i]));
        held.forEach((i, k) => {
          raw[r][i] = p[k];
          re[r][i] = q[k];
        });
      }
    }
    const accuracy = raw.reduce((s, p) => s + p.reduce((c, v, i) => c + ((v >= 0.5 ? 1 : 0) === photoLabels[i] ? 1 : 0), 0) / n, 0) / plan.repeats;
    const score = { l2, logLoss: raw.reduce((s, p) => s + logLoss(p, photoLabels), 0) / plan.repeats, accuracy };
    onScore?.(score);
    scores.push(score);
    byL2.set(l2, { raw, re });
  }
  const best = scores.reduce((a, b) => (b.logLoss < a.logLoss ? b : a));
  return { scores, best, raw: byL2.get(best.l2)!.raw, rawReencoded: byL2.get(best.l2)!.re };
}
