import { REGION_COUNT, RegionMap } from './regions';

/**
 * Sobel gradient magnitude of a square plane (divided by 8, i.e. per-pixel slope), mean and std per
 * region. Border pixels have no full 3x3 neighbourhood and are skipped.
 */
export function gradientStats(plane: Float32Array, regions: RegionMap): { mean: number; std: number }[] {
  const size = regions.size;
  const sum = new Float64Array(REGION_COUNT);
  const sum2 = new Float64Array(REGION_COUNT);
  const count = new Float64Array(REGION_COUNT);
  for (let y = 1; y < size - 1; y++) {
    for (let x = 1; x < size - 1; x++) {
      const i = y * size + x;
      const tl = plane[i - size - 1], t = plane[i - size], tr = plane[i - size + 1];
      const l = plane[i - 1], r = plane[i + 1];
      const bl = plane[i + size - 1], b = plane[i + size], br = plane[i + size + 1];
      const gx = tr + 2 * r + br - (tl + 2 * l + bl);
      const gy = bl + 2 * b + br - (tl + 2 * t + tr);
      const mag = Math.sqrt(gx * gx + gy * gy) / 8;
      const region = regions.index[i];
      sum[region] += mag;
      sum2[region] += mag * mag;
      count[region] += 1;
    }
  }
  const out: { mean: number; std: number }[] = [];
  for (let region = 0; region < REGION_COUNT; region++) {
    const mean = sum[region] / count[region];
    out.push({ mean, std: Math.sqrt(Math.max(0, sum2[region] / count[region] - mean * mean)) });
  }
  return out;
}
