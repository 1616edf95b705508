/**
 * Statistics measured relative to the located eye (eye-locator.ts) rather than the image centre:
 * a radial profile of rings around the located centre, and the pupil disk / iris annulus, so an
 * off-centre eye, a two-eye photo or a small eye in a wide shot still has its pupil measured.
 */
import { ColourPlanes } from './colour';
import { EyeCircle, LOCATOR_SIZE } from './eye-locator';
import { regionPercentiles } from './percentiles';
import { RegionMap } from './regions';

/** Rings of the radial profile: ring k covers [k, k+1) * RING_WIDTH iris radii. */
export const RADIAL_RINGS = 8;
export const RING_WIDTH = 0.2;
/** Pupil disk: r < PUPIL_RADIUS iris radii; iris annulus: IRIS_RADII[0] <= r < IRIS_RADII[1]. */
export const PUPIL_RADIUS = 0.45;
export const IRIS_RADII = [0.55, 0.95] as const;
/** "White" here: L* > 60 and chroma < 15 (a grey/white lens is darker than sclera in these photos). */
export const EYE_WHITE_LIGHTNESS = 60;
export const EYE_WHITE_MAX_CHROMA = 15;
/** Same black threshold as the fixed regions' dark_frac. */
export const EYE_DARK_LIGHTNESS = 25;
/** p98 rather than the maximum: the top 2 % are the specular highlight. */
export const PUPIL_PERCENTILES = [0.05, 0.25, 0.5, 0.75, 0.98] as const;
export const IRIS_PERCENTILES = [0.25, 0.5] as const;

const PUPIL = 0;
const IRIS = 1;
const OTHER = 2;

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

let scratch: RegionMap | undefined;

/** Eye-relative statistics of the working image `planes` (size x size) for the circle found on the locator grid. */
export function eyeStats(planes: ColourPlanes, size: number, eye: EyeCircle): EyeStats {
  const scale = size / LOCATOR_SIZE;
  const cx = (eye.x + 0.5) * scale;
  const cy = (eye.y + 0.5) * scale;
  const radius = eye.r * scale;
  const pixels = size * size;
  if (!scratch || scratch.size !== size) scratch = { size, index: new Uint8Array(pixels), counts: new Uint32Array(3) };
  const regions = scratch;
  regions.counts.fill(0);

  const ringL = new Float64Array(RADIAL_RINGS);
  const ringWhite = new Float64Array(RADIAL_RINGS);
  const ringSat = new Float64Array(RADIAL_RINGS);
  const ringN = new Float64Array(RADIAL_RINGS);
  let pWhite = 0, pLabB = 0, pSat = 0, pDark = 0, iSat = 0, iChroma = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const d = Math.sqrt(dx * dx + dy * dy) / radius;
      const l = planes.lightness[i];
      const white = l > EYE_WHITE_LIGHTNESS && planes.chroma[i] < EYE_WHITE_MAX_CHROMA ? 1 : 0;
      const ring = Math.floor(d / RING_WIDTH);
      if (ring < RADIAL_RINGS) {
        ringL[ring] += l;
        ringWhite[ring] += white;
        ringSat[ring] += planes.saturation[i];
        ringN[ring] += 1;
      }
      let region = OTHER;
      if (d < PUPIL_RADIUS) {
        region = PUPIL;
        pWhite += white;
        pLabB += planes.labB[i];
        pSat += planes.saturation[i];
        if (l < EYE_DARK_LIGHTNESS) pDark += 1;
      } else if (d >= IRIS_RADII[0] && d < IRIS_RADII[1]) {
        region = IRIS;
        iSat += planes.saturation[i];
        iChroma += planes.chroma[i];
      }
      regions.index[i] = region;
      regions.counts[region]++;
    }
  }
  // An empty ring/region (possible only at the image border) reports 0 rather than NaN.
  const div = (a: number, n: number) => (n > 0 ? a / n : 0);
  for (let k = 0; k < RADIAL_RINGS; k++) {
    ringL[k] = div(ringL[k], ringN[k]);
    ringWhite[k] = div(ringWhite[k], ringN[k]);
    ringSat[k] = div(ringSat[k], ringN[k]);
  }
  const nP = regions.counts[PUPIL];
  const nI = regions.counts[IRIS];
  const pcts = (region: number, qs: readonly number[]) =>
    regions.counts[region] > 0 ? regionPercentiles(planes.lightness, regions, region, qs) : qs.map(() => 0);
  return {
    ringL,
    ringWhite,
    ringSat,
    pupilL: pcts(PUPIL, PUPIL_PERCENTILES),
    irisL: pcts(IRIS, IRIS_PERCENTILES),
    pupilWhite: div(pWhite, nP),
    pupilLabB: div(pLabB, nP),
    pupilSat: div(pSat, nP),
    pupilDark: div(pDark, nP),
    irisSat: div(iSat, nI),
    irisChroma: div(iChroma, nI),
  };
}
