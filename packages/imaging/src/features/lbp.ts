import { RegionMap } from './regions';

/** 8 neighbours at radius 1, in circular order (needed for the uniformity test). */
const NEIGHBOURS: readonly [number, number][] = [
  [-1, -1], [0, -1], [1, -1], [1, 0], [1, 1], [0, 1], [-1, 1], [-1, 0],
];

/** 'u0'..'u8' = uniform patterns by number of set bits, 'nonuniform' = everything else. */
export const LBP_BIN_NAMES = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'nonuniform'] as const;
export const LBP_BINS = LBP_BIN_NAMES.length;

/**
 * A neighbour counts as "not darker" when it is at least centre - LBP_TOLERANCE (L* units).
 * The tolerance keeps flat areas in a stable bin (u8) instead of letting JPEG noise pick a code.
 */
export const LBP_TOLERANCE = 2;

/** Rotation-invariant uniform LBP label for each 8-bit code (Ojala et al. 2002, riu2). */
const UNIFORM_LABEL = (() => {
  const labels = new Uint8Array(256);
  for (let code = 0; code < 256; code++) {
    let transitions = 0;
    let ones = 0;
    for (let bit = 0; bit < 8; bit++) {
      const a = (code >> bit) & 1;
      const b = (code >> ((bit + 1) % 8)) & 1;
      if (a !== b) transitions++;
      ones += a;
    }
    labels[code] = transitions <= 2 ? ones : 9;
  }
  return labels;
})();

/** Normalised 10-bin uniform LBP histogram of `plane` over the pixels of one region. */
export function lbpHistogram(plane: Float32Array, regions: RegionMap, region: number): Float64Array {
  const size = regions.size;
  const hist = new Float64Array(LBP_BINS);
  const offsets = NEIGHBOURS.map(([dx, dy]) => dy * size + dx);
  const interior = regions.interior[region]; // border pixels lack a full neighbourhood
  let total = 0;
  for (let m = 0; m < interior.length; m++) {
    const i = interior[m];
    const floor = plane[i] - LBP_TOLERANCE;
    let code = 0;
    for (let k = 0; k < 8; k++) {
      if (plane[i + offsets[k]] >= floor) code |= 1 << k;
    }
    hist[UNIFORM_LABEL[code]] += 1;
    total++;
  }
  if (total > 0) for (let k = 0; k < LBP_BINS; k++) hist[k] /= total;
  return hist;
}
