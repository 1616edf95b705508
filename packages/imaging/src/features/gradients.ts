import { RegionMap, REGION_COUNT } from './regions';

/**
 * Sobel gradient magnitude of a square plane (divided by 8, i.e. per-pixel slope), mean and std per
 * region. Border pixels have no full 3x3 neighbourhood and are skipped.
 */
export function gradientStats(plane: Float32Array, regions: RegionMap): { mean: number; std: number }[] {
  const out: { mean: number; std: number }[] = [];
  for (let region = 0; region < REGION_COUNT; region++) {
    // Each region's own interior pixels, ascending: the sums add the same magnitudes in the same
    // order as a row-major scan of the grid's interior.
    const { sum, sum2, count } = regionGradientSums(plane, regions.size, regions.interior[region]);
    const mean = sum / count;
    out.push({ mean, std: Math.sqrt(Math.max(0, sum2 / count - mean * mean)) });
  }
  return out;
}

function regionGradientSums(plane: Float32Array, size: number, interior: Int32Array) {
  let sum = 0;
  let sum2 = 0;
  let count = 0;
  for (let m = 0; m < interior.length; m++) {
    const i = interior[m];
    const tl = plane[i - size - 1], t = plane[i - size], tr = plane[i - size + 1];
    const l = plane[i - 1], r = plane[i + 1];
    const bl = plane[i + size - 1], b = plane[i + size], br = plane[i + size + 1];
    const gx = tr + 2 * r + br - (tl + 2 * l + bl);
    const gy = bl + 2 * b + br - (tl + 2 * t + tr);
    const mag = Math.sqrt(gx * gx + gy * gy) / 8;
    sum += mag;
    sum2 += mag * mag;
    count += 1;
  }
  return { sum, sum2, count };
}
