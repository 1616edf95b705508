import { RegionMap, WORKING_SIZE } from './regions';

/**
 * The values being selected from, in a fixed module-level buffer (see colour.ts on why the hot
 * loops work on such buffers). Large enough for every pixel of the working image.
 */
const VALUES = new Float32Array(WORKING_SIZE * WORKING_SIZE);
/** The same memory read as int32: the bits of a float32 (see bucketOf). */
const VALUE_BITS = new Int32Array(VALUES.buffer);
/**
 * The values that can hold the order statistic being looked for (one histogram bucket, or all of
 * them for small inputs), reordered in place by `select`.
 */
const CANDIDATES = new Float32Array(WORKING_SIZE * WORKING_SIZE);

/**
 * Order statistics go through a histogram first: one counting pass finds the bucket that holds
 * the k-th smallest value and its rank within it, then only that bucket's values (for the outer
 * region's median, ~170 of ~13,800 on average over the training photos) are gathered and
 * quickselected. The k-th smallest value of a list is one well-defined number whatever the method,
 * so every percentile is the same double as with the plain quickselect over all values that this
 * replaced (or a full sort).
 *
 * Buckets are the top 16 bits of the float32 (sign, exponent, 7 mantissa bits): the bits of a
 * non-negative float32, read as an int32, order it exactly like its value, so each bucket is a
 * value interval [BUCKET_START[b], BUCKET_START[b + 1]). The buckets cover [0.5, 128) at 1/128 of
 * the value's power of two (0.5 L* wide at the top of the L* range); everything below 0.5
 * (negatives included: their int32 bits are negative) shares bucket 0, everything from 128 up
 * the last one, which keeps the buckets in value order.
 */
const BUCKET_SHIFT = 16;
const FIRST_BUCKET_KEY = 0x3f00; // 0.5 >> BUCKET_SHIFT
const BUCKETS = 1024;
const LAST_BUCKET = BUCKETS - 1;
const COUNTS = new Int32Array(BUCKETS);
const BUCKET_START = (() => {
  const bits = new Int32Array(1);
  const value = new Float32Array(bits.buffer);
  const start = new Float64Array(BUCKETS + 1);
  for (let b = 1; b < BUCKETS; b++) {
    bits[0] = (FIRST_BUCKET_KEY + b) << BUCKET_SHIFT;
    start[b] = value[0];
  }
  start[0] = -Infinity;
  start[BUCKETS] = Infinity;
  return start;
})();
/** Below this many values the histogram costs more than it saves: all values are candidates. */
const HISTOGRAM_MIN = 256;

/** Ranks held by CANDIDATES: [candidatesFrom, candidatesTo) of the current input (none when equal). */
let candidatesFrom = 0;
let candidatesTo = 0;

/**
 * Percentiles (linear interpolation between order statistics, numpy's default) of `values` over
 * the pixels of one region.
 */
export function regionPercentiles(
  values: Float32Array,
  regions: RegionMap,
  region: number,
  quantiles: readonly number[],
): number[] {
  const members = regions.members[region];
  const n = members.length;
  if (n > VALUES.length) throw new RangeError(`region of ${n} pixels exceeds ${VALUES.length}`);
  for (let m = 0; m < n; m++) VALUES[m] = values[members[m]];
  if (n >= HISTOGRAM_MIN) countBuckets(n);
  return selectCounted(n, quantiles);
}

/** Percentiles of values[0..n). */
export function percentilesOf(values: Float32Array, n: number, quantiles: readonly number[]): number[] {
  if (n > VALUES.length) throw new RangeError(`${n} values exceed ${VALUES.length}`);
  VALUES.set(values.subarray(0, n));
  if (n >= HISTOGRAM_MIN) countBuckets(n);
  return selectCounted(n, quantiles);
}

/** Percentiles of VALUES[0..n), whose buckets are counted in COUNTS when n >= HISTOGRAM_MIN. */
function selectCounted(n: number, quantiles: readonly number[]): number[] {
  candidatesTo = candidatesFrom = 0;
  return quantiles.map((q) => {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} outside [0, 1]`);
    const pos = q * (n - 1);
    const lo = Math.floor(pos);
    const low = orderStatistic(lo, n);
    if (lo + 1 >= n || pos === lo) return low;
    const next = orderStatistic(lo + 1, n);
    return low + (next - low) * (pos - lo);
  });
}

function bucketOf(bits: number): number {
  return Math.min(Math.max((bits >> BUCKET_SHIFT) - FIRST_BUCKET_KEY, 0), LAST_BUCKET);
}

function countBuckets(n: number): void {
  COUNTS.fill(0);
  for (let m = 0; m < n; m++) COUNTS[bucketOf(VALUE_BITS[m])]++;
}

/** The k-th smallest (from 0) of VALUES[0..n). */
function orderStatistic(k: number, n: number): number {
  if (k < candidatesFrom || k >= candidatesTo) {
    if (n < HISTOGRAM_MIN) {
      CANDIDATES.set(VALUES.subarray(0, n));
      candidatesFrom = 0;
      candidatesTo = n;
    } else {
      let b = 0;
      let below = 0;
      while (below + COUNTS[b] <= k) below += COUNTS[b++];
      let count = 0;
      if (b > 0 && b < LAST_BUCKET) {
        // An inner bucket holds exactly the values with these top bits (one integer compare).
        const key = FIRST_BUCKET_KEY + b;
        for (let m = 0; m < n; m++) if (VALUE_BITS[m] >> BUCKET_SHIFT === key) CANDIDATES[count++] = VALUES[m];
      } else {
        const low = BUCKET_START[b];
        const high = BUCKET_START[b + 1];
        for (let m = 0; m < n; m++) {
          const v = VALUES[m];
          if (v >= low && v < high) CANDIDATES[count++] = v;
        }
      }
      // Only a NaN could fall in a bucket by its bits but in none by value.
      if (count !== COUNTS[b]) throw new RangeError('percentiles of values that include NaN');
      candidatesFrom = below;
      candidatesTo = below + count;
    }
  }
  return select(k - candidatesFrom, candidatesTo - candidatesFrom);
}

/**
 * Hoare quickselect with median-of-three pivots; partially reorders CANDIDATES[0..n) and returns
 * the k-th smallest. Every read stays within [left, right] (the median-of-three and each swap leave
 * a stopper for both scans), so the elements past n are never looked at.
 */
function select(k: number, n: number): number {
  const a = CANDIDATES;
  let left = 0;
  let right = n - 1;
  while (right > left) {
    const mid = (left + right) >> 1;
    // Order a[left], a[mid], a[right] so the pivot is their median (deterministic, no random pivot).
    if (a[mid] < a[left]) swap(mid, left);
    if (a[right] < a[left]) swap(right, left);
    if (a[right] < a[mid]) swap(right, mid);
    const pivot = a[mid];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return a[k];
  }
  return a[k];
}

function swap(i: number, j: number): void {
  const t = CANDIDATES[i];
  CANDIDATES[i] = CANDIDATES[j];
  CANDIDATES[j] = t;
}
