import { RegionMap } from './regions';

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
  const selected = new Float32Array(regions.counts[region]);
  let n = 0;
  for (let i = 0; i < regions.index.length; i++) {
    if (regions.index[i] === region) selected[n++] = values[i];
  }
  return quantiles.map((q) => {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} outside [0, 1]`);
    const pos = q * (n - 1);
    const lo = Math.floor(pos);
    const low = select(selected, lo, n);
    if (lo + 1 >= n || pos === lo) return low;
    // After select, everything right of `lo` is >= it, so the next order statistic is their minimum.
    let next = Infinity;
    for (let i = lo + 1; i < n; i++) if (selected[i] < next) next = selected[i];
    return low + (next - low) * (pos - lo);
  });
}

/** Hoare quickselect with median-of-three pivots; partially reorders `a[0..n)` and returns the k-th smallest. */
function select(a: Float32Array, k: number, n: number): number {
  let left = 0;
  let right = n - 1;
  while (right > left) {
    const mid = (left + right) >> 1;
    // Order a[left], a[mid], a[right] so the pivot is their median (deterministic, no random pivot).
    if (a[mid] < a[left]) swap(a, mid, left);
    if (a[right] < a[left]) swap(a, right, left);
    if (a[right] < a[mid]) swap(a, right, mid);
    const pivot = a[mid];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
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

function swap(a: Float32Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
