/**
 * Limited-memory BFGS for smooth convex objectives (here: L2-regularised logistic loss), with a
 * backtracking Armijo line search. Deterministic: no randomness, fixed iteration order.
 */

export interface Objective {
  /** Returns f(x) and writes the gradient into `grad`. */
  (x: Float64Array, grad: Float64Array): number;
}

export interface LbfgsOptions {
  memory?: number;
  maxIterations?: number;
  /** Stop when ||grad||_inf falls below this. */
  gradientTolerance?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  converged: boolean;
}

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const maxAbs = (a: Float64Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

export function minimizeLbfgs(f: Objective, x0: Float64Array, opts: LbfgsOptions = {}): LbfgsResult {
  const m = opts.memory ?? 10;
  const maxIt = opts.maxIterations ?? 500;
  const tol = opts.gradientTolerance ?? 1e-6;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let fx = f(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const dir = new Float64Array(n);
  const alpha = new Array<number>(m);
  let it = 0;
  for (; it < maxIt; it++) {
    if (maxAbs(g) < tol) return { x, value: fx, iterations: it, converged: true };
    // Two-loop recursion: dir = -H g.
    dir.set(g);
    for (let i = S.length - 1; i >= 0; i--) {
      alpha[i] = rho[i] * dot(S[i], dir);
      for (let j = 0; j < n; j++) dir[j] -= alpha[i] * Y[i][j];
    }
    const gamma = S.length ? dot(S[S.length - 1], Y[Y.length - 1]) / dot(Y[Y.length - 1], Y[Y.length - 1]) : 1 / Math.max(1, maxAbs(g));
    for (let j = 0; j < n; j++) dir[j] *= gamma;
    for (let i = 0; i < S.length; i++) {
      const beta = rho[i] * dot(Y[i], dir);
      for (let j = 0; j < n; j++) dir[j] += S[i][j] * (alpha[i] - beta);
    }
    for (let j = 0; j < n; j++) dir[j] = -dir[j];
    let slope = dot(g, dir);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let j = 0; j < n; j++) dir[j] = -g[j];
      slope = dot(g, dir);
    }
    let step = 1;
    const xNew = new Float64Array(n);
    const gNew = new Float64Array(n);
    let fNew = Infinity;
    for (let k = 0; k < 40; k++) {
      for (let j = 0; j < n; j++) xNew[j] = x[j] + step * dir[j];
      fNew = f(xNew, gNew);
      if (fNew <= fx + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew < fx)) return { x, value: fx, iterations: it, converged: false };
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      s[j] = xNew[j] - x[j];
      y[j] = gNew[j] - g[j];
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const relative = Math.abs(fx - fNew) / Math.max(1, Math.abs(fx));
    x = xNew;
    g = gNew;
    fx = fNew;
    if (relative < 1e-12) return { x, value: fx, iterations: it + 1, converged: true };
  }
  return { x, value: fx, iterations: it, converged: maxAbs(g) < tol };
}
