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
 * One scan around the centre (cx, cy) with the iris radius, in working-image pixels: the ring sums
 * into RING_SUM_L, RING_SUM_WHITE, RING_SUM_SAT and RING_N, the pupil and iris L* values into
 * PUPIL_L and IRIS_L, and the pupil and iris sums returned.
 */
function scan(cx: number, cy: number, radius: number) {
  const size = WORKING_SIZE;
  for (const sums of [RING_SUM_L, RING_SUM_WHITE, RING_SUM_SAT, RING_N]) sums.fill(0);
  let pWhite = 0, pLabB = 0, pSat = 0, pDark = 0, iSat = 0, iChroma = 0;
  let nP = 0, nI = 0;
  // The running sums of one ring are kept in locals: neighbouring pixels are mostly in the same
  // ring, and a local adds much faster than an array slot. They are stored back (and the next
  // ring's loaded) whenever the ring changes, so each ring's sum still receives exactly the same
  // additions in the same order.
  let ring = 0;
  let sumL = 0, sumWhite = 0, sumSat = 0, count = 0;
  // Every statistic here is taken within RADIAL_RINGS * RING_WIDTH radii of the centre. Pixels more
  // than a whole pixel further out along x or y alone cannot be that close, so only the bounding
  // square is visited (in the same row-major order, so every sum adds the same terms in turn).
  const reach = RADIAL_RINGS * RING_WIDTH * radius + 1;
  const x0 = firstPixel(cx, reach);
  const x1 = endPixel(cx, reach, size);
  const y0 = firstPixel(cy, reach);
  const y1 = endPixel(cy, reach, size);
  for (let y = y0; y < y1; y++) {
    const dy = y + 0.5 - cy;
    const dyy = dy * dy;
    for (let x = x0; x < x1; x++) {
      const i = y * size + x;
      const dx = x + 0.5 - cx;
      const d = Math.sqrt(dx * dx + dyy) / radius;
      const l = LIGHTNESS[i];
      const white = l > EYE_WHITE_LIGHTNESS && CHROMA[i] < EYE_WHITE_MAX_CHROMA ? 1 : 0;
      // floor(d / RING_WIDTH) < RADIAL_RINGS exactly when d / RING_WIDTH < RADIAL_RINGS.
      const ringPosition = d / RING_WIDTH;
      if (ringPosition < RADIAL_RINGS) {
        const k = ringPosition | 0;
        if (k !== ring) {
          RING_SUM_L[ring] = sumL;
          RING_SUM_WHITE[ring] = sumWhite;
          RING_SUM_SAT[ring] = sumSat;
          RING_N[ring] = count;
          ring = k;
          sumL = RING_SUM_L[k];
          sumWhite = RING_SUM_WHITE[k];
          sumSat = RING_SUM_SAT[k];
          count = RING_N[k];
        }
        sumL += l;
        sumWhite += white;
        sumSat += SATURATION[i];
        count += 1;
      }
      if (d < PUPIL_RADIUS) {
        PUPIL_L[nP++] = l;
        pWhite += white;
        pLabB += LAB_B[i];
        pSat += SATURATION[i];
        if (l < EYE_DARK_LIGHTNESS) pDark += 1;
      } else if (d >= IRIS_INNER && d < IRIS_OUTER) {
        IRIS_L[nI++] = l;
        iSat += SATURATION[i];
        iChroma += CHROMA[i];
      }
    }
  }
  RING_SUM_L[ring] = sumL;
  RING_SUM_WHITE[ring] = sumWhite;
  RING_SUM_SAT[ring] = sumSat;
  RING_N[ring] = count;
  return { pWhite, pLabB, pSat, pDark, iSat, iChroma, nP, nI };
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
