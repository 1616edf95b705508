/**
 * The ensemble's candidate combiners of the members' calibrated P(cataract), each fitted on
 * out-of-fold predictions: one member alone, the weighted mean (clip weight on a grid, lowest
 * log-loss), and logit stacking, p = sigmoid(bias + scale * (w_lgbm * logit(p_lgbm) + w_clip * logit(p_clip)))
 * with w summing to 1 (a logistic regression on the members' log-odds, Newton's method).
 */
import { logit, sigmoid, type EnsembleCombiner, type EnsembleWeights } from '@cataract/contracts';
import { logLoss } from '../cv/calibration';

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

const RIDGE = 1e-3;

/** L2-penalised (not the intercept) logistic regression on a few features, by Newton's method. */
export function fitSmallLogistic(xs: readonly number[][], y: ArrayLike<number>): { bias: number; coef: number[] } {
  const d = xs[0].length + 1;
  const rows = xs.map((r) => [1, ...r]);
  const objective = (t: readonly number[]) =>
    rows.reduce((s, v, i) => {
      const u = v.reduce((a, x, j) => a + x * t[j], 0);
      return s + (u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u))) - y[i] * u;
    }, 0) + 0.5 * RIDGE * t.slice(1).reduce((s, x) => s + x * x, 0);
  let theta = new Array<number>(d).fill(0);
  let f = objective(theta);
  for (let it = 0; it < 100; it++) {
    const g = theta.map((t, j) => (j === 0 ? 0 : RIDGE * t));
    const h = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? (a === 0 ? 1e-9 : RIDGE) : 0)));
    rows.forEach((v, i) => {
      const q = sigmoid(v.reduce((s, x, j) => s + x * theta[j], 0));
      const w = Math.max(q * (1 - q), 1e-12);
      for (let a = 0; a < d; a++) {
        g[a] += (q - y[i]) * v[a];
        for (let b = 0; b < d; b++) h[a][b] += w * v[a] * v[b];
      }
    });
    const step = solve(h, g);
    // Newton with step halving: the full step can overshoot far from the optimum.
    let size = 1;
    let next = theta.map((t, j) => t - step[j]);
    let fn = objective(next);
    while (fn > f && size > 1e-9) {
      size /= 2;
      next = theta.map((t, j) => t - size * step[j]);
      fn = objective(next);
    }
    if (fn > f) break;
    const gain = f - fn;
    theta = next;
    f = fn;
    if (gain < 1e-12 * Math.max(1, Math.abs(f))) break;
  }
  return { bias: theta[0], coef: theta.slice(1) };
}

/** Solves a x = b by Gaussian elimination with partial pivoting (d <= 3 here). */
export function solve(a: readonly number[][], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}

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
  const { bias, coef } = fitSmallLogistic(ps.map((p) => [logit(p.lgbm), logit(p.clip)]), y);
  // A member with a non-positive log-odds coefficient is dropped: the other one alone, Platt-rescaled.
  if (!(coef[0] > 0 && coef[1] > 0)) {
    const keep = coef[0] >= coef[1] ? 'lgbm' : 'clip';
    const one = fitSmallLogistic(ps.map((p) => [logit(p[keep])]), y);
    return { kind, weights: { lgbm: keep === 'lgbm' ? 1 : 0, clip: keep === 'clip' ? 1 : 0 }, combiner: { kind: 'logit', bias: one.bias, scale: Math.max(one.coef[0], 1e-6) } };
  }
  const scale = coef[0] + coef[1];
  return { kind, weights: { lgbm: coef[0] / scale, clip: coef[1] / scale }, combiner: { kind: 'logit', bias, scale } };
}
