import { RegionMap, WORKING_SIZE } from './regions';

/**
 * The values being selected from, in a fixed module-level buffer (see colour.ts on why the hot
 * loops work on such buffers). Large enough for every pixel of the working image.
 */
const VALUES = new Float32Array(WORKING_SIZE * WORKING_SIZE);

/**
 * Percentiles (linear interpolation between order statistics, numpy's default) of `values` over
 * the pixels of one region. Uses quickselect instead of a full sort: the outer region holds ~80 %
 * of the working image and sorting it dominated the extractor's time.
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
  // In ascending pixel order, the order quickselect has always been given them.
  for (let m = 0; m < n; m++) VALUES[m] = values[members[m]];
  return selectPercentiles(n, quantiles);
}

/**
 * Percentiles of values[0..n), gathered by the caller in ascending pixel order (quickselect's
 * partial reordering then takes the same steps as always, and finds the same elements).
 */
export function percentilesOf(values: Float32Array, n: number, quantiles: readonly number[]): number[] {
  if (n > VALUES.length) throw new RangeError(`${n} values exceed ${VALUES.length}`);
  VALUES.set(values.subarray(0, n));
  return selectPercentiles(n, quantiles);
}

/** Percentiles of VALUES[0..n), which is reordered. */
function selectPercentiles(n: number, quantiles: readonly number[]): number[] {
  return quantiles.map((q) => {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} outside [0, 1]`);
    const pos = q * (n - 1);
    const lo = Math.floor(pos);
    const low = select(lo, n);
    if (lo + 1 >= n || pos === lo) return low;
    // After select, everything right of `lo` is >= it, so the next order statistic is their minimum.
    let next = Infinity;
    for (let i = lo + 1; i < n; i++) if (VALUES[i] < next) next = VALUES[i];
    return low + (next - low) * (pos - lo);
  });
}

/**
 * Hoare quickselect with median-of-three pivots; partially reorders VALUES[0..n) and returns the
 * k-th smallest. Every read stays within [left, right] (the median-of-three and each swap leave a
 * stopper for both scans), so the elements past n are never looked at.
 */
function select(k: number, n: number): number {
  const a = VALUES;
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
  const t = VALUES[i];
  VALUES[i] = VALUES[j];
  VALUES[j] = t;
}
