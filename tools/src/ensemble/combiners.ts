/**
 * The ensemble's candidate combiners of the members' calibrated P(cataract), each fitted on
 * out-of-fold predictions: one member alone, the weighted mean (clip weight on a grid, lowest
 * log-loss), and logit stacking, p = sigmoid(bias + scale * (w_lgbm * logit(p_lgbm) + w_clip * logit(p_clip)))
 * with w summing to 1 (a logistic regression on the members' log-odds, Newton's method).
 */
import { logit, sigmoid, type EnsembleCombiner, type EnsembleWeights } from '@cataract/contracts';
import { logLoss } from '../cv/calibration';
import { fitSmallLogistic } from '../cv/small-logistic';

export type CombinerKind = 'lgbm' | 'clip' | 'mean' | 'logit';
export const COMBINER_KINDS: readonly CombinerKind[] = ['lgbm', 'clip', 'mean', 'logit'];

export interface Fitted {
  kind: CombinerKind;
  weights: EnsembleWeights;
  combiner: EnsembleCombiner;
}

export interface MemberP {
  lgbm: number;
  clip: number;
}

/** The gateway's own formula (apps/gateway/src/ensemble/combine.ts) with both members present. */
export function combine(f: Fitted, p: MemberP): number {
  const { lgbm: wl, clip: wc } = f.weights;
  if (f.combiner.kind === 'logit') return sigmoid(f.combiner.bias + f.combiner.scale * (wl * logit(p.lgbm) + wc * logit(p.clip)));
  return (wl * p.lgbm + wc * p.clip) / (wl + wc);
}

/** The ridge on the combiners' logistic fits (not on the intercept). */
const RIDGE = 1e-3;

const MEAN_GRID = Array.from({ length: 21 }, (_, i) => i / 20);

export function fitCombiner(kind: CombinerKind, ps: readonly MemberP[], y: ArrayLike<number>): Fitted {
  const mean: EnsembleCombiner = { kind: 'mean' };
  if (kind === 'lgbm') return { kind, weights: { lgbm: 1, clip: 0 }, combiner: mean };
  if (kind === 'clip') return { kind, weights: { lgbm: 0, clip: 1 }, combiner: mean };
  if (kind === 'mean') {
    let best: Fitted | undefined;
    let bestLoss = Infinity;
    for (const wc of MEAN_GRID) {
      const f: Fitted = { kind, weights: { lgbm: 1 - wc, clip: wc }, combiner: mean };
      const loss = logLoss(ps.map((p) => combine(f, p)), y);
      if (loss < bestLoss - 1e-12) {
        best = f;
        bestLoss = loss;
      }
    }
    return best!;
  }
  const { bias, coef } = fitSmallLogistic(ps.map((p) => [logit(p.lgbm), logit(p.clip)]), y, RIDGE);
  // A member with a non-positive log-odds coefficient is dropped: the other one alone, Platt-rescaled.
  if (!(coef[0] > 0 && coef[1] > 0)) {
    const keep = coef[0] >= coef[1] ? 'lgbm' : 'clip';
    const one = fitSmallLogistic(ps.map((p) => [logit(p[keep])]), y, RIDGE);
    return { kind, weights: { lgbm: keep === 'lgbm' ? 1 : 0, clip: keep === 'clip' ? 1 : 0 }, combiner: { kind: 'logit', bias: one.bias, scale: Math.max(one.coef[0], 1e-6) } };
  }
  const scale = coef[0] + coef[1];
  return { kind, weights: { lgbm: coef[0] / scale, clip: coef[1] / scale }, combiner: { kind: 'logit', bias, scale } };
}
