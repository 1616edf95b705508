/**
 * Per-feature quantile binning, LightGBM style: each feature's values map to at most `max_bin`
 * ordered bins; a bin's upper bound is the midpoint between the last value inside it and the first
 * value of the next bin (the last bound is +Infinity). A split "bin <= t" is therefore exactly
 * "value <= upperBounds[t]", which is what the written model's `threshold` says.
 * NaN (missing) gets its own extra bin when the feature has NaN in the training data.
 */

/** LightGBM's missing-value handling codes (bits 2-3 of `decision_type`). */
export const MissingType = { None: 0, Zero: 1, NaN: 2 } as const;
export type MissingType = (typeof MissingType)[keyof typeof MissingType];

export class BinMapper {
  private constructor(
    /** Upper bound of each value bin (ascending, last = +Infinity). */
    readonly upperBounds: Float64Array,
    /** MissingType.NaN when the training data had NaN for this feature (they go to bin `numValueBins`). */
    readonly missingType: MissingType,
    readonly minValue: number,
    readonly maxValue: number,
    /** Fewer than two distinct values: the feature can never split (LightGBM writes `none`). */
    readonly isTrivial: boolean,
  ) {}

  get numValueBins(): number {
    return this.upperBounds.length;
  }
  /** Bins including the NaN bin when present. */
  get numBins(): number {
    return this.upperBounds.length + (this.missingType === MissingType.NaN ? 1 : 0);
  }
  get nanBin(): number {
    return this.missingType === MissingType.NaN ? this.upperBounds.length : -1;
  }

  /** LightGBM's `feature_infos` entry: `[min:max]`, or `none` for an unusable feature. */
  infoString(format: (x: number) => string): string {
    return this.isTrivial ? 'none' : `[${format(this.minValue)}:${format(this.maxValue)}]`;
  }

  /** Bin of a raw value. NaN on a feature trained without NaN is treated as 0, as LightGBM's predictor does. */
  valueToBin(v: number): number {
    if (Number.isNaN(v)) {
      if (this.missingType === MissingType.NaN) return this.upperBounds.length;
      v = 0;
    }
    const ub = this.upperBounds;
    let lo = 0;
    let hi = ub.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v <= ub[mid]) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * Builds the bins of one feature column. Distinct values are counted; with few distinct values
   * every value gets its own bin (merged forward until a bin holds `minDataInBin` rows), otherwise
   * greedy quantile cuts aim at equal counts per bin while values frequent enough get a bin alone.
   */
  static fit(column: ArrayLike<number>, maxBin: number, minDataInBin: number): BinMapper {
    const vals: number[] = [];
    let hasNaN = false;
    for (let i = 0; i < column.length; i++) {
      const v = column[i];
      if (Number.isNaN(v)) hasNaN = true;
      else vals.push(v);
    }
    vals.sort((a, b) => a - b);
    const distinct: number[] = [];
    const counts: number[] = [];
    for (const v of vals) {
      if (distinct.length && distinct[distinct.length - 1] === v) counts[counts.length - 1]++;
      else {
        distinct.push(v);
        counts.push(1);
      }
    }
    const missing = hasNaN ? MissingType.NaN : MissingType.None;
    if (distinct.length < 2) {
      // One value (or none): only "value vs NaN" can split, and only if both occur.
      const only = distinct.length ? distinct[0] : 0;
      return new BinMapper(Float64Array.of(Infinity), missing, only, only, !(hasNaN && distinct.length === 1));
    }
    const bounds = distinct.length <= maxBin ? cutDistinct(distinct, counts, minDataInBin) : cutGreedy(distinct, counts, vals.length, maxBin, minDataInBin);
    bounds.push(Infinity);
    // A single value bin cannot be split on (NaN vs value is still a split when NaN is present).
    const trivial = bounds.length < 2 && !hasNaN;
    return new BinMapper(Float64Array.from(bounds), missing, distinct[0], distinct[distinct.length - 1], trivial);
  }
}

/** Threshold between two adjacent distinct values a < b, guaranteed a <= t < b. */
function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  return m >= b || m < a ? a : m;
}

function cutDistinct(distinct: number[], counts: number[], minDataInBin: number): number[] {
  const bounds: number[] = [];
  let cur = 0;
  for (let i = 0; i < distinct.length - 1; i++) {
    cur += counts[i];
    if (cur >= minDataInBin) {
      bounds.push(midpoint(distinct[i], distinct[i + 1]));
      cur = 0;
    }
  }
  return bounds;
}

function cutGreedy(distinct: number[], counts: number[], total: number, maxBin: number, minDataInBin: number): number[] {
  // Values at least as frequent as an average bin get a bin of their own; the rest share the other bins.
  const avg = total / maxBin;
  const big = counts.map((c) => c >= avg);
  let restCount = total;
  let restBins = maxBin;
  big.forEach((b, i) => {
    if (b) {
      restCount -= counts[i];
      restBins--;
    }
  });
  const mean = restBins > 0 ? restCount / restBins : Infinity;
  const bounds: number[] = [];
  let cur = 0;
  for (let i = 0; i < distinct.length - 1 && bounds.length < maxBin - 1; i++) {
    cur += counts[i];
    const cut = big[i] || big[i + 1] || cur >= mean;
    if (cut && cur >= minDataInBin) {
      bounds.push(midpoint(distinct[i], distinct[i + 1]));
      cur = 0;
    }
  }
  return bounds;
}
