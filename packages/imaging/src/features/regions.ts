/**
 * Fixed geometry of the lgbm feature set. Every image is first centre-cropped and resized to
 * WORKING_SIZE x WORKING_SIZE ('cover'), so no feature can see the source resolution or aspect ratio.
 * Texture (LBP, Sobel) is measured on a TEXTURE_SIZE grid (2x2 box average of the working image):
 * at that coarser scale most photos are downsampled rather than upsampled, so blur from tiny
 * sources changes texture much less than at full working size.
 */
export const WORKING_SIZE = 128;
export const TEXTURE_SIZE = WORKING_SIZE / 2;

/** Concentric regions around the image centre; radii are fractions of half the side. */
export const REGIONS = ['centre', 'ring', 'outer'] as const;
export type RegionName = (typeof REGIONS)[number];
export const REGION_COUNT = REGIONS.length;
/**
 * centre: r < 0.15 (pupil/lens), ring: 0.15 <= r < 0.45 (iris), outer: the rest (sclera, lids, skin).
 * 0.15 beat 0.2 slightly in a 5-fold CV check on the training photos (pupils are often small).
 */
export const REGION_RADII = [0.15, 0.45] as const;

/**
 * The regions of a grid, with each region's pixel indices in ascending (row-major) order. Walking
 * a region's own list visits its pixels in the same order as a scan of the whole grid, so
 * per-region sums add the same numbers in the same order, without testing every pixel's region.
 */
export interface RegionMap {
  size: number;
  /** Pixel indices of each region, ascending. */
  members: Int32Array[];
  /**
   * The same without the grid's border pixels (those lack a full 3x3 neighbourhood), ascending:
   * the pixels texture measures (Sobel, LBP) are taken at.
   */
  interior: Int32Array[];
  /** All pixel indices grouped by region: region k's are order[starts[k] .. starts[k + 1]). */
  order: Int32Array;
  starts: Int32Array;
}

const cache = new Map<number, RegionMap>();

/** Region map for a square grid of `size`, computed once per size. */
export function regionMap(size: number): RegionMap {
  let map = cache.get(size);
  if (!map) {
    map = buildRegionMap(size);
    cache.set(size, map);
  }
  return map;
}

function buildRegionMap(size: number): RegionMap {
  const index = new Uint8Array(size * size);
  const counts = new Uint32Array(REGION_COUNT);
  const half = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x + 0.5 - half;
      const dy = y + 0.5 - half;
      const r = Math.sqrt(dx * dx + dy * dy) / half;
      const region = r < REGION_RADII[0] ? 0 : r < REGION_RADII[1] ? 1 : 2;
      index[y * size + x] = region;
      counts[region]++;
    }
  }
  const starts = new Int32Array(REGION_COUNT + 1);
  for (let k = 0; k < REGION_COUNT; k++) starts[k + 1] = starts[k] + counts[k];
  const order = new Int32Array(index.length);
  const next = starts.slice(0, REGION_COUNT);
  for (let i = 0; i < index.length; i++) order[next[index[i]]++] = i;
  const members = Array.from(counts, (_, k) => order.subarray(starts[k], starts[k + 1]));
  const onBorder = (i: number) => i < size || i >= size * (size - 1) || i % size === 0 || i % size === size - 1;
  const interior = members.map((pixels) => pixels.filter((i) => !onBorder(i)));
  return { size, members, interior, order, starts };
}
