/**
 * What is seen through the located pupil (pupil-locator.ts): the lens. Measured on the inner 80 %
 * of the pupil radius so the iris edge does not leak in. Black in a healthy eye; grey, white,
 * bluish or yellow-brown when clouded.
 */
import { WORKING_PLANES } from './colour';
import { EYE_DARK_LIGHTNESS, EYE_WHITE_LIGHTNESS, EYE_WHITE_MAX_CHROMA, endPixel, firstPixel } from './eye-stats';
import { LOCATOR_SIZE } from './eye-locator';
import { percentilesOf } from './percentiles';
import { PupilCircle } from './pupil-locator';
import { WORKING_SIZE } from './regions';

export const LENS_RADIUS = 0.8;
export const LENS_PERCENTILES = [0.1, 0.5, 0.9] as const;

export interface LensStats {
  l: number[];
  white: number;
  labB: number;
  sat: number;
  dark: number;
}

// Module-level bindings of the fixed buffers (see colour.ts on why).
const { lightness: LIGHTNESS, chroma: CHROMA, labB: LAB_B, saturation: SATURATION } = WORKING_PLANES;
/** Lens lightness, gathered for its percentiles. */
const LENS_L = new Float32Array(WORKING_SIZE * WORKING_SIZE);

/** Lens statistics of the working image (WORKING_PLANES) for the pupil found on the locator grid. */
export function lensStats(pupil: PupilCircle): LensStats {
  const size = WORKING_SIZE;
  const scale = size / LOCATOR_SIZE;
  const cx = (pupil.x + 0.5) * scale;
  const cy = (pupil.y + 0.5) * scale;
  const limit = LENS_RADIUS * pupil.r * scale;
  let white = 0, labB = 0, sat = 0, dark = 0;
  let n = 0;
  // Only the bounding square of the disk (plus a pixel) can hold pixels inside it; visited in
  // row-major order like the whole grid was, so the sums add the same terms in the same order.
  const x0 = firstPixel(cx, limit + 1);
  const x1 = endPixel(cx, limit + 1, size);
  const y0 = firstPixel(cy, limit + 1);
  const y1 = endPixel(cy, limit + 1, size);
  for (let y = y0; y < y1; y++) {
    const dy = y + 0.5 - cy;
    const dyy = dy * dy;
    for (let x = x0; x < x1; x++) {
      const dx = x + 0.5 - cx;
      if (!(Math.sqrt(dx * dx + dyy) < limit)) continue;
      const i = y * size + x;
      const l = LIGHTNESS[i];
      LENS_L[n++] = l;
      if (l > EYE_WHITE_LIGHTNESS && CHROMA[i] < EYE_WHITE_MAX_CHROMA) white += 1;
      if (l < EYE_DARK_LIGHTNESS) dark += 1;
      labB += LAB_B[i];
      sat += SATURATION[i];
    }
  }
  // A tiny pupil can hold no pixel centre at all: report zeros rather than NaN.
  if (n === 0) return { l: LENS_PERCENTILES.map(() => 0), white: 0, labB: 0, sat: 0, dark: 0 };
  return {
    l: percentilesOf(LENS_L, n, LENS_PERCENTILES),
    white: white / n,
    labB: labB / n,
    sat: sat / n,
    dark: dark / n,
  };
}
