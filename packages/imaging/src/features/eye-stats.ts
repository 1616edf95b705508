/**
 * Statistics measured relative to the located eye (eye-locator.ts) rather than the image centre:
 * a radial profile of rings around the located centre, and the pupil disk / iris annulus, so an
 * off-centre eye, a two-eye photo or a small eye in a wide shot still has its pupil measured.
 */
import { WORKING_PLANES } from './colour';
import { EyeCircle, LOCATOR_SIZE } from './eye-locator';
import { percentilesOf } from './percentiles';
import { WORKING_SIZE } from './regions';

// Constants are declared locally and exported in a list, so hot loops read them as constants
// (`export const` would compile to a property load of `exports` at every use).
/** Rings of the radial profile: ring k covers [k, k+1) * RING_WIDTH iris radii. */
const RADIAL_RINGS = 8;
const RING_WIDTH = 0.2;
/** Pupil disk: r < PUPIL_RADIUS iris radii; iris annulus: IRIS_INNER <= r < IRIS_OUTER. */
const PUPIL_RADIUS = 0.45;
const IRIS_INNER = 0.55;
const IRIS_OUTER = 0.95;
const IRIS_RADII = [IRIS_INNER, IRIS_OUTER] as const;
/** "White" here: L* > 60 and chroma < 15 (a grey/white lens is darker than sclera in these photos). */
const EYE_WHITE_LIGHTNESS = 60;
const EYE_WHITE_MAX_CHROMA = 15;
/** Same black threshold as the fixed regions' dark_frac. */
const EYE_DARK_LIGHTNESS = 25;
export { RADIAL_RINGS, RING_WIDTH, PUPIL_RADIUS, IRIS_RADII, EYE_WHITE_LIGHTNESS, EYE_WHITE_MAX_CHROMA, EYE_DARK_LIGHTNESS };
/** p98 rather than the maximum: the top 2 % are the specular highlight. */
export const PUPIL_PERCENTILES = [0.05, 0.25, 0.5, 0.75, 0.98] as const;
export const IRIS_PERCENTILES = [0.25, 0.5] as const;

export interface EyeStats {
  /** Per ring: mean L*, white fraction, mean saturation. */
  ringL: Float64Array;
  ringWhite: Float64Array;
  ringSat: Float64Array;
  pupilL: number[];
  irisL: number[];
  pupilWhite: number;
  pupilLabB: number;
  pupilSat: number;
  pupilDark: number;
  irisSat: number;
  irisChroma: number;
}

// Module-level bindings of the fixed buffers (see colour.ts on why).
const { lightness: LIGHTNESS, chroma: CHROMA, saturation: SATURATION, labB: LAB_B } = WORKING_PLANES;
/** Pupil and iris lightness, gathered for their percentiles. */
const PUPIL_L = new Float32Array(WORKING_SIZE * WORKING_SIZE);
const IRIS_L = new Float32Array(WORKING_SIZE * WORKING_SIZE);
/** Per-ring sums of L*, white pixels and saturation, and pixel counts. */
const RING_SUM_L = new Float64Array(RADIAL_RINGS);
const RING_SUM_WHITE = new Float64Array(RADIAL_RINGS);
const RING_SUM_SAT = new Float64Array(RADIAL_RINGS);
const RING_N = new Float64Array(RADIAL_RINGS);

/** Eye-relative statistics of the working image (WORKING_PLANES) for the circle found on the locator grid. */
export function eyeStats(eye: EyeCircle): EyeStats {
  const scale = WORKING_SIZE / LOCATOR_SIZE;
  const disk = scan((eye.x + 0.5) * scale, (eye.y + 0.5) * scale, eye.r * scale);
  // An empty ring/region (possible only at the image border) reports 0 rather than NaN.
  const div = (a: number, n: number) => (n > 0 ? a / n : 0);
  const ringMeans = (sums: Float64Array) => sums.map((sum, k) => div(sum, RING_N[k]));
  const pcts = (values: Float32Array, n: number, qs: readonly number[]) => (n > 0 ? percentilesOf(values, n, qs) : qs.map(() => 0));
  const { nP, nI } = disk;
  return {
    ringL: ringMeans(RING_SUM_L),
    ringWhite: ringMeans(RING_SUM_WHITE),
    ringSat: ringMeans(RING_SUM_SAT),
    pupilL: pcts(PUPIL_L, nP, PUPIL_PERCENTILES),
    irisL: pcts(IRIS_L, nI, IRIS_PERCENTILES),
    pupilWhite: div(disk.pWhite, nP),
    pupilLabB: div(disk.pLabB, nP),
    pupilSat: div(disk.pSat, nP),
    pupilDark: div(disk.pDark, nP),
    irisSat: div(disk.iSat, nI),
    irisChroma: div(disk.iChroma, nI),
  };
}

/**
 * Which pixels belong to which ring, the pupil and the iris, row by row. Every membership test of
 * a pixel is `t(d) < threshold` for its distance d = sqrt(dx * dx + dy * dy) / radius (dx, dy from
 * the pixel centre), and each test only gets less true as dx * dx grows: the floating-point
 * square, sum, square root and divisions are all monotone. The circle centre is a pixel corner
 * (an integer: eyes are located on the integer locator grid, and one locator cell is 2x2 pixels),
 * so the pixel centres of a row lie at dx = +-0.5, +-1.5, ... and the pixels passing a test are
 * the 2w pixels x in [cx - w, cx + w), w being how many of dx = 0.5, 1.5, ... pass it. Those widths
 * are found with the very same expression the per-pixel test used, so each pixel lands where the
 * per-pixel test put it, and the sums below visit the pixels of each ring, the pupil and the iris
 * in the same (row-major) order as before: every sum is the same double.
 *
 * Tests (EDGES per row): 0..7 `d / RING_WIDTH < k + 1` (ring <= k), PUPIL_EDGE `d < PUPIL_RADIUS`,
 * IRIS_INNER_EDGE `d < IRIS_INNER`, IRIS_OUTER_EDGE `d < IRIS_OUTER`.
 */
const PUPIL_EDGE = RADIAL_RINGS;
const IRIS_INNER_EDGE = RADIAL_RINGS + 1;
const IRIS_OUTER_EDGE = RADIAL_RINGS + 2;
const EDGES = RADIAL_RINGS + 3;
/** WIDTHS[jy * EDGES + e]: the width w of test e in the rows at dy = +-(jy + 0.5). */
const WIDTHS = new Int32Array(WORKING_SIZE * EDGES);

/** Whether the pixel at dx = j + 0.5 in the row with dy * dy = dyy passes test `edge`. */
function passes(edge: number, j: number, dyy: number, radius: number): boolean {
  const dx = j + 0.5;
  const d = Math.sqrt(dx * dx + dyy) / radius;
  if (edge < RADIAL_RINGS) return d / RING_WIDTH < edge + 1;
  return d < (edge === PUPIL_EDGE ? PUPIL_RADIUS : edge === IRIS_INNER_EDGE ? IRIS_INNER : IRIS_OUTER);
}

/**
 * WIDTHS for jy = 0..rows - 1, capped at `widest` (pixels further out are outside the scan). A test
 * also only gets less true as dy * dy grows, so each row's width is found by shrinking the previous
 * row's: a walk along the edge of a quarter disk, two or three tests per row and edge.
 */
function fillWidths(radius: number, rows: number, widest: number): void {
  for (let edge = 0; edge < EDGES; edge++) {
    let w = 0;
    while (w < widest && passes(edge, w, 0.25, radius)) w++;
    for (let jy = 0; jy < rows; jy++) {
      const dy = jy + 0.5;
      const dyy = dy * dy;
      while (w > 0 && !passes(edge, w - 1, dyy, radius)) w--;
      WIDTHS[jy * EDGES + edge] = w;
    }
  }
}

/**
 * One scan around the centre (cx, cy) with the iris radius, in working-image pixels: the ring sums
 * into RING_SUM_L, RING_SUM_WHITE, RING_SUM_SAT and RING_N, the pupil and iris L* values into
 * PUPIL_L and IRIS_L, and the pupil and iris sums returned.
 */
function scan(cx: number, cy: number, radius: number) {
  if (!Number.isInteger(cx) || !Number.isInteger(cy)) throw new RangeError(`eye centre (${cx}, ${cy}) is not a pixel corner`);
  const size = WORKING_SIZE;
  for (const sums of [RING_SUM_L, RING_SUM_WHITE, RING_SUM_SAT, RING_N]) sums.fill(0);
  let pWhite = 0, pLabB = 0, pSat = 0, pDark = 0, iSat = 0, iChroma = 0;
  let nP = 0, nI = 0;
  // Every statistic here is taken within RADIAL_RINGS * RING_WIDTH radii of the centre. Pixels more
  // than a whole pixel further out along x or y alone cannot be that close, so only the bounding
  // square is visited (clipped to it exactly as the per-pixel scan was).
  const reach = RADIAL_RINGS * RING_WIDTH * radius + 1;
  const x0 = firstPixel(cx, reach);
  const x1 = endPixel(cx, reach, size);
  const y0 = firstPixel(cy, reach);
  const y1 = endPixel(cy, reach, size);
  fillWidths(radius, Math.max(cy - y0, y1 - cy), Math.max(cx - x0, x1 - cx));
  // Pixel x of [cx - w, cx + w), clipped to [x0, x1), as an index of row `row`.
  const left = (row: number, w: number) => row + Math.max(x0, cx - w);
  const right = (row: number, w: number) => row + Math.min(x1, cx + w);
  for (let y = y0; y < y1; y++) {
    const widths = (y >= cy ? y - cy : cy - 1 - y) * EDGES;
    const row = y * size;
    // Rings: outermost to the centre on the left of cx, then back out on the right.
    for (let k = RADIAL_RINGS - 1; k >= 0; k--) {
      addToRing(k, left(row, WIDTHS[widths + k]), right(row, -(k > 0 ? WIDTHS[widths + k - 1] : 0)));
    }
    for (let k = 0; k < RADIAL_RINGS; k++) {
      addToRing(k, left(row, -(k > 0 ? WIDTHS[widths + k - 1] : 0)), right(row, WIDTHS[widths + k]));
    }
    const wPupil = WIDTHS[widths + PUPIL_EDGE];
    for (let i = left(row, wPupil), end = right(row, wPupil); i < end; i++) {
      const l = LIGHTNESS[i];
      PUPIL_L[nP++] = l;
      if (l > EYE_WHITE_LIGHTNESS && CHROMA[i] < EYE_WHITE_MAX_CHROMA) pWhite += 1;
      pLabB += LAB_B[i];
      pSat += SATURATION[i];
      if (l < EYE_DARK_LIGHTNESS) pDark += 1;
    }
    // Iris: [cx - outer, cx - inner) and [cx + inner, cx + outer).
    const wInner = WIDTHS[widths + IRIS_INNER_EDGE];
    const wOuter = WIDTHS[widths + IRIS_OUTER_EDGE];
    for (let side = 0; side < 2; side++) {
      const from = side === 0 ? left(row, wOuter) : left(row, -wInner);
      const end = side === 0 ? right(row, -wInner) : right(row, wOuter);
      for (let i = from; i < end; i++) {
        IRIS_L[nI++] = LIGHTNESS[i];
        iSat += SATURATION[i];
        iChroma += CHROMA[i];
      }
    }
  }
  return { pWhite, pLabB, pSat, pDark, iSat, iChroma, nP, nI };
}

/** Adds pixels [from, end) of one row to ring k's sums, in order. */
function addToRing(k: number, from: number, end: number): void {
  if (from >= end) return;
  let sumL = RING_SUM_L[k], sumWhite = RING_SUM_WHITE[k], sumSat = RING_SUM_SAT[k];
  for (let i = from; i < end; i++) {
    const l = LIGHTNESS[i];
    sumL += l;
    if (l > EYE_WHITE_LIGHTNESS && CHROMA[i] < EYE_WHITE_MAX_CHROMA) sumWhite += 1;
    sumSat += SATURATION[i];
  }
  RING_SUM_L[k] = sumL;
  RING_SUM_WHITE[k] = sumWhite;
  RING_SUM_SAT[k] = sumSat;
  RING_N[k] += end - from;
}

/**
 * The pixel range [firstPixel, endPixel) of one axis holds every pixel whose centre lies within
 * `reach` of `centre`, clipped to the grid: pixels outside it are further than reach - 1 away
 * along this axis alone. Small integers (`| 0`), so the loops over them compile to integer loops.
 */
export function firstPixel(centre: number, reach: number): number {
  return Math.max(0, Math.floor(centre - reach)) | 0;
}

export function endPixel(centre: number, reach: number, size: number): number {
  return Math.min(size, Math.ceil(centre + reach) + 1) | 0;
}
