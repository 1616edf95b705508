/**
 * A logistic regression small enough to solve exactly: Newton's method with step halving on at
 * most a handful of features (Gaussian elimination for each step).
 */
import { sigmoid } from '@cataract/contracts';

/**
 * L2-penalised (`ridge`, not on the intercept) logistic regression on a few features (none: the
 * intercept alone), by Newton's method. Used by the ensemble's combiners and the calibration maps.
 */
export function fitSmallLogistic(xs: readonly number[][], y: ArrayLike<number>, ridge: number): { bias: number; coef: number[] } {
  const d = (xs[0]?.length ?? 0) + 1;
  const rows = xs.map((r) => [1, ...r]);
  const objective = (t: readonly number[]) =>
    rows.reduce((s, v, i) => {
      const u = v.reduce((a, x, j) => a + x * t[j], 0);
      return s + (u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u))) - y[i] * u;
    }, 0) + 0.5 * ridge * t.slice(1).reduce((s, x) => s + x * x, 0);
  let theta = new Array<number>(d).fill(0);
  let f = objective(theta);
  for (let it = 0; it < 100; it++) {
    const g = theta.map((t, j) => (j === 0 ? 0 : ridge * t));
    const h = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? (a === 0 ? 1e-9 : ridge) : 0)));
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

