/**
 * Binary logistic regression with an L2 penalty on standardised features: the clip head.
 * Objective: mean log-loss + (l2 / 2) * ||w||^2 (bias not penalised), solved with L-BFGS.
 */
import { minimizeLbfgs } from './lbfgs';

/** Row-major design matrix. */
export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

export interface Standardizer {
  mean: Float64Array;
  /** 1 / std, or 0 for constant features (they carry no information). */
  invStd: Float64Array;
}

export interface LogisticModel {
  standardizer: Standardizer;
  /** Weights on standardised features. */
  weights: Float64Array;
  bias: number;
}

export function fitStandardizer(x: Matrix, rows?: readonly number[]): Standardizer {
  const idx = rows ?? Array.from({ length: x.rows }, (_, i) => i);
  const d = x.cols;
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (const r of idx) {
    const o = r * d;
    for (let j = 0; j < d; j++) {
      const v = x.data[o + j];
      mean[j] += v;
      sq[j] += v * v;
    }
  }
  const invStd = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    mean[j] /= idx.length;
    const variance = Math.max(sq[j] / idx.length - mean[j] * mean[j], 0);
    invStd[j] = variance > 1e-12 ? 1 / Math.sqrt(variance) : 0;
  }
  return { mean, invStd };
}

function standardized(x: Matrix, rows: readonly number[], s: Standardizer): Float64Array {
  const d = x.cols;
  const out = new Float64Array(rows.length * d);
  rows.forEach((r, i) => {
    for (let j = 0; j < d; j++) out[i * d + j] = (x.data[r * d + j] - s.mean[j]) * s.invStd[j];
  });
  return out;
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
/** log(1 + exp(z)) without overflow. */
const softplus = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

export interface FitOptions {
  l2: number;
  maxIterations?: number;
  /** Warm start (weights..., bias) from a previous fit with the same standardizer. */
  init?: Float64Array;
}

export interface FitResult {
  model: LogisticModel;
  iterations: number;
  converged: boolean;
  objective: number;
}

/** Fits on `rows` of `x` (labels 0/1). The standardizer is fitted on the same rows unless given. */
export function fitLogisticRegression(x: Matrix, labels: ArrayLike<number>, rows: readonly number[], opts: FitOptions, standardizer?: Standardizer): FitResult {
  const s = standardizer ?? fitStandardizer(x, rows);
  const d = x.cols;
  const n = rows.length;
  const xs = standardized(x, rows, s);
  const y = Float64Array.from(rows, (r) => labels[r]);
  const residual = new Float64Array(n);
  const objective = (theta: Float64Array, grad: Float64Array): number => {
    const b = theta[d];
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let z = b;
      const o = i * d;
      for (let j = 0; j < d; j++) z += xs[o + j] * theta[j];
      // -[y log p + (1-y) log(1-p)] = softplus(z) - y z
      loss += softplus(z) - y[i] * z;
      residual[i] = (sigmoid(z) - y[i]) / n;
    }
    grad.fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const r = residual[i];
      if (r === 0) continue;
      const o = i * d;
      for (let j = 0; j < d; j++) grad[j] += r * xs[o + j];
      gb += r;
    }
    let reg = 0;
    for (let j = 0; j < d; j++) {
      grad[j] += opts.l2 * theta[j];
      reg += theta[j] * theta[j];
    }
    grad[d] = gb;
    return loss / n + 0.5 * opts.l2 * reg;
  };
  const res = minimizeLbfgs(objective, opts.init ?? new Float64Array(d + 1), { maxIterations: opts.maxIterations ?? 1000, gradientTolerance: 1e-6 });
  return {
    model: { standardizer: s, weights: res.x.slice(0, d), bias: res.x[d] },
    iterations: res.iterations,
    converged: res.converged,
    objective: res.value,
  };
}

/** P(label 1) for each row (all rows when `rows` is omitted). */
export function predictProba(model: LogisticModel, x: Matrix, rows?: readonly number[]): Float64Array {
  const idx = rows ?? Array.from({ length: x.rows }, (_, i) => i);
  const { mean, invStd } = model.standardizer;
  return Float64Array.from(idx, (r) => {
    let z = model.bias;
    const o = r * x.cols;
    for (let j = 0; j < x.cols; j++) z += (x.data[o + j] - mean[j]) * invStd[j] * model.weights[j];
    return sigmoid(z);
  });
}

/**
 * The same model as one affine map on raw (unstandardised) features: z = w' . x + b', with
 * w'_j = w_j / std_j and b' = b - sum_j w_j mean_j / std_j. This is what goes into the ONNX Gemm.
 */
export function foldStandardizer(model: LogisticModel): { weights: Float32Array; bias: number } {
  const { mean, invStd } = model.standardizer;
  const weights = new Float32Array(model.weights.length);
  let bias = model.bias;
  for (let j = 0; j < weights.length; j++) {
    weights[j] = model.weights[j] * invStd[j];
    bias -= model.weights[j] * invStd[j] * mean[j];
  }
  return { weights, bias };
}
