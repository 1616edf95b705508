/**
 * Gradient histograms: for each feature, per-bin sums of gradient, hessian and row count over the
 * rows of one leaf. Building the smaller child's histogram and subtracting it from the parent's
 * gives the larger child's for free (LightGBM's histogram subtraction trick).
 */

/** Bin stride per feature (max_bin <= 255 value bins + 1 NaN bin). */
export const BIN_STRIDE = 256;

export class Histogram {
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  readonly count: Int32Array;

  constructor(readonly numFeatures: number) {
    const n = numFeatures * BIN_STRIDE;
    this.grad = new Float64Array(n);
    this.hess = new Float64Array(n);
    this.count = new Int32Array(n);
  }

  /** Fills the histogram of the given features from rows `rows` (other features are left stale). */
  build(features: ArrayLike<number>, bins: readonly Uint8Array[], rows: Int32Array, grad: Float64Array, hess: Float64Array): void {
    for (let k = 0; k < features.length; k++) {
      const f = features[k];
      const off = f * BIN_STRIDE;
      const g = this.grad;
      const h = this.hess;
      const c = this.count;
      g.fill(0, off, off + BIN_STRIDE);
      h.fill(0, off, off + BIN_STRIDE);
      c.fill(0, off, off + BIN_STRIDE);
      const col = bins[f];
      for (let j = 0; j < rows.length; j++) {
        const i = rows[j];
        const b = off + col[i];
        g[b] += grad[i];
        h[b] += hess[i];
        c[b]++;
      }
    }
  }

  /** this = parent - sibling, for the given features. */
  subtractFrom(parent: Histogram, sibling: Histogram, features: ArrayLike<number>): void {
    for (let k = 0; k < features.length; k++) {
      const off = features[k] * BIN_STRIDE;
      for (let b = off; b < off + BIN_STRIDE; b++) {
        this.grad[b] = parent.grad[b] - sibling.grad[b];
        this.hess[b] = parent.hess[b] - sibling.hess[b];
        this.count[b] = parent.count[b] - sibling.count[b];
      }
    }
  }
}
