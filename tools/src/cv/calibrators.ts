/**
 * Candidate calibration maps of a model's P(cataract), each fitted on out-of-fold predictions:
 * the identity, Platt (a * logit + b), Platt with Platt's own smoothed targets, temperature scaling
 * (logit / T, no shift), beta calibration (Kull et al. 2017: a ln p - b ln(1 - p) + c, a, b >= 0)
 * and isotonic regression (pool-adjacent-violators, interpolated between block means). Compared by
 * the calibration study (tools/src/study-calibration.ts) under the same cross-fitting as Platt.
 */
import { calibrate, LOGIT_EPSILON, logit, sigmoid } from '@cataract/contracts';
import { fitPlatt } from './calibration';
import { fitSmallLogistic } from './small-logistic';

export type CalibratorName = 'none' | 'platt' | 'platt-smoothed' | 'temperature' | 'beta' | 'isotonic';
export const CALIBRATOR_NAMES: readonly CalibratorName[] = ['none', 'platt', 'platt-smoothed', 'temperature', 'beta', 'isotonic'];

export type CalibrationMap = (p: number) => number;

const clampP = (p: number) => Math.min(1 - LOGIT_EPSILON, Math.max(LOGIT_EPSILON, p));
const softplus = (t: number) => (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t)));

export function fitCalibrator(name: CalibratorName, p: ArrayLike<number>, y: ArrayLike<number>): CalibrationMap {
  switch (name) {
    case 'none':
      return (v) => v;
    case 'platt': {
      const c = fitPlatt(p, y);
      return (v) => calibrate(v, c);
    }
    case 'platt-smoothed': {
      // Platt (1999): targets (N+ + 1) / (N+ + 2) and 1 / (N- + 2) instead of 1 and 0, so a few
      // confident photos cannot push the fit towards 0 and 1.
      let pos = 0;
      for (let i = 0; i < y.length; i++) pos += y[i];
      const neg = y.length - pos;
      const t = Array.from(y, (v) => (v === 1 ? (pos + 1) / (pos + 2) : 1 / (neg + 2)));
      const c = fitPlatt(p, t);
      return (v) => calibrate(v, c);
    }
    case 'temperature': {
      const a = fitTemperature(p, y);
      return (v) => sigmoid(a * logit(v));
    }
    case 'beta': {
      const c = fitBeta(p, y);
      return (v) => betaMap(v, c);
    }
    case 'isotonic': {
      const f = fitIsotonic(p, y);
      return (v) => isotonicMap(v, f);
    }
  }
}

/** Temperature scaling: the slope a = 1 / T of sigmoid(a * logit(p)), by 1-D Newton on the log-loss. */
export function fitTemperature(p: ArrayLike<number>, y: ArrayLike<number>): number {
  const z = Array.from(p, (v) => logit(v));
  const objective = (a: number) => z.reduce((s, v, i) => s + softplus(a * v) - y[i] * a * v, 0);
  let a = 1;
  let f = objective(a);
  for (let it = 0; it < 100; it++) {
    let g = 0;
    let h = 1e-9;
    for (let i = 0; i < z.length; i++) {
      const q = sigmoid(a * z[i]);
      g += (q - y[i]) * z[i];
      h += q * (1 - q) * z[i] * z[i];
    }
    let step = 1;
    let next = objective(a - g / h);
    while (next > f && step > 1e-9) {
      step /= 2;
      next = objective(a - (step * g) / h);
    }
    if (next > f) break;
    a -= (step * g) / h;
    const gain = f - next;
    f = next;
    if (gain < 1e-12 * Math.max(1, Math.abs(f))) break;
  }
  return a;
}

export interface BetaCalibration {
  a: number;
  b: number;
  c: number;
}

export function betaMap(p: number, k: BetaCalibration): number {
  const q = clampP(p);
  return sigmoid(k.a * Math.log(q) - k.b * Math.log1p(-q) + k.c);
}

const BETA_RIDGE = 1e-4;

/**
 * Beta calibration: logistic regression on (ln p, -ln(1 - p)); a coefficient that comes out
 * negative (a non-monotone map) is fixed at 0 and the rest refitted, as Kull et al. do.
 */
export function fitBeta(p: ArrayLike<number>, y: ArrayLike<number>): BetaCalibration {
  const x = Array.from(p, (v) => [Math.log(clampP(v)), -Math.log1p(-clampP(v))]);
  let free = [true, true];
  for (let round = 0; round < 3; round++) {
    const t = fitSmallLogistic(x.map((r) => r.filter((_, j) => free[j])), y, BETA_RIDGE);
    const coef = [0, 0];
    let k = 0;
    free.forEach((on, j) => on && (coef[j] = t.coef[k++]));
    const negative = coef.map((c, j) => free[j] && c < 0);
    if (!negative.some(Boolean)) return { a: coef[0], b: coef[1], c: t.bias };
    free = free.map((on, j) => on && !negative[j]);
  }
  return { a: 0, b: 0, c: 0 };
}

export interface IsotonicFit {
  /** Increasing block mean scores (x) and their block frequencies (y, non-decreasing). */
  x: number[];
  y: number[];
  /** Photos fitted on. */
  n: number;
}

/** Pool-adjacent-violators on the scores sorted ascending (ties pooled first, as one block). */
export function fitIsotonic(p: ArrayLike<number>, y: ArrayLike<number>): IsotonicFit {
  const order = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[a] - p[b]);
  const blocks: { sx: number; sy: number; n: number }[] = [];
  for (let k = 0; k < order.length; ) {
    let j = k;
    let sx = 0;
    let sy = 0;
    while (j < order.length && p[order[j]] === p[order[k]]) {
      sx += p[order[j]];
      sy += y[order[j]];
      j++;
    }
    blocks.push({ sx, sy, n: j - k });
    k = j;
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1];
      const prev = blocks[blocks.length - 2];
      if (prev.sy / prev.n < last.sy / last.n) break;
      blocks.splice(-2, 2, { sx: prev.sx + last.sx, sy: prev.sy + last.sy, n: prev.n + last.n });
    }
  }
  return { x: blocks.map((b) => b.sx / b.n), y: blocks.map((b) => b.sy / b.n), n: p.length };
}

/**
 * Linear interpolation between the block means, constant beyond the ends. Kept off exact 0 and 1 by
 * half an observation of the fit (1 / (2 n)): a block of all-normal photos says "rarely", not "never".
 */
export function isotonicMap(p: number, f: IsotonicFit): number {
  const { x, y } = f;
  const floor = 0.5 / f.n;
  let v: number;
  if (p <= x[0]) v = y[0];
  else if (p >= x[x.length - 1]) v = y[y.length - 1];
  else {
    let lo = 0;
    let hi = x.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (x[mid] <= p) lo = mid;
      else hi = mid;
    }
    v = y[lo] + ((y[hi] - y[lo]) * (p - x[lo])) / (x[hi] - x[lo]);
  }
  return Math.min(1 - floor, Math.max(floor, v));
}

/**
 * scores[r][i] mapped, per repeat r and fold f (folds[i][r]), by a calibrator fitted on the other
 * folds' scores; `fitScores` overrides what the fold's calibrator is fitted on (e.g. inner
 * out-of-fold scores of a nested model).
 */
export function crossFitCalibrator(name: CalibratorName, scores: number[][], y: number[], folds: number[][], k: number, fitScores: (r: number, f: number) => { idx: number[]; s: number[] } = (r, f) => {
  const idx = y.map((_, i) => i).filter((i) => folds[i][r] !== f);
  return { idx, s: idx.map((i) => scores[r][i]) };
}): number[][] {
  return scores.map((row, r) => {
    const out = new Array<number>(row.length);
    for (let f = 0; f < k; f++) {
      const { idx, s } = fitScores(r, f);
      const map = fitCalibrator(name, s, idx.map((i) => y[i]));
      row.forEach((v, i) => folds[i][r] === f && (out[i] = map(v)));
    }
    return out;
  });
}
