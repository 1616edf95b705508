/**
 * Calibration on out-of-fold predictions: Platt scaling (a 2-parameter logistic regression on the
 * raw logit, Newton's method) and the expected calibration error over equal-width bins.
 */
import { calibrate, logit, sigmoid, type Calibration } from '@cataract/contracts';

/** Tiny ridge on (a, b) so separable data still gives a finite fit. */
const RIDGE = 1e-4;

export function fitPlatt(p: ArrayLike<number>, y: ArrayLike<number>): Calibration {
  const z = Array.from(p, (v) => logit(v));
  const objective = (a: number, b: number) => {
    let s = 0.5 * RIDGE * ((a - 1) ** 2 + b * b);
    for (let i = 0; i < z.length; i++) {
      const t = a * z[i] + b;
      // log(1 + e^t) - y t, computed without overflow
      s += (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t))) - y[i] * t;
    }
    return s;
  };
  let a = 1;
  let b = 0;
  let f = objective(a, b);
  for (let it = 0; it < 100; it++) {
    let ga = RIDGE * (a - 1);
    let gb = RIDGE * b;
    let haa = RIDGE;
    let hab = 0;
    let hbb = RIDGE;
    for (let i = 0; i < z.length; i++) {
      const q = sigmoid(a * z[i] + b);
      const r = q - y[i];
      const w = Math.max(q * (1 - q), 1e-12);
      ga += r * z[i];
      gb += r;
      haa += w * z[i] * z[i];
      hab += w * z[i];
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    // Newton with step halving: the full step can overshoot far from the optimum.
    let step = 1;
    let next = objective(a - da, b - db);
    while (next > f && step > 1e-9) {
      step /= 2;
      next = objective(a - step * da, b - step * db);
    }
    if (next > f) break;
    a -= step * da;
    b -= step * db;
    const gain = f - next;
    f = next;
    if (gain < 1e-12 * Math.max(1, Math.abs(f))) break;
  }
  return { method: 'platt', a, b };
}

export function applyCalibration(p: ArrayLike<number>, c: Calibration): number[] {
  return Array.from(p, (v) => calibrate(v, c));
}

export interface ReliabilityBin {
  lo: number;
  hi: number;
  n: number;
  /** Mean predicted P(cataract) in the bin. */
  confidence: number;
  /** Share of cataract photos in the bin. */
  frequency: number;
}

export function reliabilityBins(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): ReliabilityBin[] {
  const out: ReliabilityBin[] = Array.from({ length: bins }, (_, k) => ({ lo: k / bins, hi: (k + 1) / bins, n: 0, confidence: 0, frequency: 0 }));
  for (let i = 0; i < p.length; i++) {
    const b = out[Math.min(bins - 1, Math.floor(p[i] * bins))];
    b.n++;
    b.confidence += p[i];
    b.frequency += y[i];
  }
  for (const b of out) {
    if (b.n > 0) {
      b.confidence /= b.n;
      b.frequency /= b.n;
    }
  }
  return out;
}

/** Expected calibration error: bin-size-weighted mean |mean P(cataract) - cataract share| over 10 equal-width bins. */
export function expectedCalibrationError(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): number {
  return reliabilityBins(p, y, bins).reduce((s, b) => s + (b.n * Math.abs(b.confidence - b.frequency)) / p.length, 0);
}

export function logLoss(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - 1e-12, Math.max(1e-12, p[i]));
    s -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return s / p.length;
}
