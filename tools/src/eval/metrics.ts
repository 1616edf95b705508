/**
 * The eval report's figures for one set of answers: accuracy and the confusion matrix of the
 * answered labels, ROC-AUC and expected calibration error of P(cataract), and how often the label
 * changes when the same photo arrives in another form. Positive class = cataract.
 */
import { rocAuc, type Confusion } from '../common/metrics';
import { expectedCalibrationError as trainingToolsEce } from '../cv/calibration';

/** One photo's answer: its true label and what the model said. */
export interface Answer {
  /** 1 = cataract, 0 = normal. */
  actual: 0 | 1;
  /** The label answered (a served route's `prediction`, or P >= threshold for a predictions file). */
  predicted: 0 | 1;
  /** P(cataract) answered. */
  p: number;
}

export interface Figures {
  n: number;
  accuracy: number;
  auc: number;
  ece: number;
  confusion: Confusion;
}

/** Confusion matrix of answered labels against true labels. */
export function confusion(answers: readonly Answer[]): Confusion {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (const a of answers) {
    if (a.predicted === 1) a.actual === 1 ? c.tp++ : c.fp++;
    else a.actual === 1 ? c.fn++ : c.tn++;
  }
  return c;
}

/**
 * Expected calibration error as the training tools compute it (tools/src/cv/calibration.ts: 10
 * equal-width bins of P(cataract), P = 1 in the last, photo-weighted |mean P - cataract share|),
 * for answers from outside: probabilities outside [0, 1] and mismatched lengths are refused, and
 * no photos give NaN rather than 0.
 */
export function expectedCalibrationError(p: ArrayLike<number>, actual: ArrayLike<number>, bins = 10): number {
  if (actual.length !== p.length) throw new RangeError('p and actual differ in length');
  if (!(Number.isInteger(bins) && bins >= 1)) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0 && p[i] <= 1)) throw new RangeError(`probability must be in [0, 1], got ${p[i]}`);
  }
  return p.length === 0 ? NaN : trainingToolsEce(p, actual, bins);
}

/** All of Figures for one set of answers. */
export function figures(answers: readonly Answer[]): Figures {
  const n = answers.length;
  const c = confusion(answers);
  const p = answers.map((a) => a.p);
  const y = answers.map((a) => a.actual);
  return { n, accuracy: n === 0 ? NaN : (c.tp + c.tn) / n, auc: rocAuc(p, y), ece: expectedCalibrationError(p, y), confusion: c };
}

/**
 * Share of photos whose label differs between two answer lists for the same photos in the same
 * order (the photo as sent vs the same photo re-encoded or resized). NaN for no photos.
 */
export function labelChangeShare(baseline: readonly Answer[], variant: readonly Answer[]): number {
  if (baseline.length !== variant.length) throw new RangeError('baseline and variant differ in length');
  if (baseline.length === 0) return NaN;
  let changed = 0;
  for (let i = 0; i < baseline.length; i++) if (baseline[i].predicted !== variant[i].predicted) changed++;
  return changed / baseline.length;
}
