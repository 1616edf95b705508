/**
 * What is seen through the located pupil (pupil-locator.ts): the lens. Measured on the inner 80 %
 * of the pupil radius so the iris edge does not leak in. Black in a healthy eye; grey, white,
 * bluish or yellow-brown when clouded.
 */
import { ColourPlanes } from './colour';
import { EYE_DARK_LIGHTNESS, EYE_WHITE_LIGHTNESS, EYE_WHITE_MAX_CHROMA } from './eye-stats';
import { LOCATOR_SIZE } from './eye-locator';
import { regionPercentiles } from './percentiles';
import { PupilCircle } from './pupil-locator';
import { RegionMap } from './regions';

export const LENS_RADIUS = 0.8;
export const LENS_PERCENTILES = [0.1, 0.5, 0.9] as const;

export interface LensStats {
  l: number[];
  white: number;
  labB: number;
  sat: number;
  dark: number;
}

const LENS = 0;
const OTHER = 1;
let scratch: RegionMap | undefined;

export function lensStats(planes: ColourPlanes, size: number, pupil: PupilCircle): LensStats {
  const scale = size / LOCATOR_SIZE;
  const cx = (pupil.x + 0.5) * scale;
  const cy = (pupil.y + 0.5) * scale;
  const limit = LENS_RADIUS * pupil.r * scale;
  const pixels = size * size;
  if (!scratch || scratch.size !== size) scratch = { size, index: new Uint8Array(pixels), counts: new Uint32Array(2) };
  const regions = scratch;
  regions.counts.fill(0);
  let white = 0, labB = 0, sat = 0, dark = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const inside = Math.sqrt(dx * dx + dy * dy) < limit;
      regions.index[i] = inside ? LENS : OTHER;
      regions.counts[inside ? LENS : OTHER]++;
      if (!inside) continue;
      const l = planes.lightness[i];
      if (l > EYE_WHITE_LIGHTNESS && planes.chroma[i] < EYE_WHITE_MAX_CHROMA) white += 1;
      if (l < EYE_DARK_LIGHTNESS) dark += 1;
      labB += planes.labB[i];
      sat += planes.saturation[i];
    }
  }
  const n = regions.counts[LENS];
  // A tiny pupil can hold no pixel centre at all: report zeros rather than NaN.
  if (n === 0) return { l: LENS_PERCENTILES.map(() => 0), white: 0, labB: 0, sat: 0, dark: 0 };
  return {
    l: regionPercentiles(planes.lightness, regions, LENS, LENS_PERCENTILES),
    white: white / n,
    labB: labB / n,
    sat: sat / n,
    dark: dark / n,
  };
}
