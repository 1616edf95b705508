import { createRng } from '../src/rng';

export interface Synthetic {
  rows: Float64Array[];
  labels: number[];
}

/** Two features; label 1 when x0 + 0.5 * x1 > 0.2 (linearly separable), plus a noise feature. */
export function separable(n: number, seed: number): Synthetic {
  const rng = createRng(seed);
  const rows: Float64Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = Float64Array.of(rng() * 2 - 1, rng() * 2 - 1, rng());
    rows.push(r);
    labels.push(r[0] + 0.5 * r[1] > 0.2 ? 1 : 0);
  }
  return { rows, labels };
}

/** XOR of the signs of two features, plus two noise features; no single feature carries signal. */
export function xor(n: number, seed: number, nanEvery = 0): Synthetic {
  const rng = createRng(seed);
  const rows: Float64Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = Float64Array.of(rng() * 2 - 1, rng() * 2 - 1, rng(), rng());
    labels.push(r[0] > 0 !== r[1] > 0 ? 1 : 0);
    if (nanEvery && i % nanEvery === 0) r[2] = NaN;
    rows.push(r);
  }
  return { rows, labels };
}

export function accuracy(probs: ArrayLike<number>, labels: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if ((probs[i] >= 0.5 ? 1 : 0) === labels[i]) ok++;
  return ok / labels.length;
}

export function flatten(rows: readonly Float64Array[]): Float64Array {
  const nf = rows[0].length;
  const out = new Float64Array(rows.length * nf);
  rows.forEach((r, i) => out.set(r, i * nf));
  return out;
}
