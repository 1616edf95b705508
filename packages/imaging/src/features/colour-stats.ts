import { WORKING_PLANES } from './colour';
import { REGION_COUNT, WORKING_SIZE, regionMap } from './regions';

/** L* below this counts as "dark" (a healthy pupil is near black). */
const DARK_LIGHTNESS = 25;
/** L* above this with Lab chroma below WHITE_MAX_CHROMA counts as "white" (sclera, opaque lens). */
const WHITE_LIGHTNESS = 75;
const WHITE_MAX_CHROMA = 15;
export { DARK_LIGHTNESS, WHITE_LIGHTNESS, WHITE_MAX_CHROMA };

/** Names of the per-region colour statistics, in output order. */
export const COLOUR_STAT_NAMES = [
  'r_mean', 'g_mean', 'b_mean', 'r_std', 'g_std', 'b_std',
  'l_mean', 'l_std', 'lab_a_mean', 'lab_b_mean', 'chroma_mean', 'chroma_std',
  'sat_mean', 'sat_std', 'dark_frac', 'white_frac',
] as const;
export type ColourStatName = (typeof COLOUR_STAT_NAMES)[number];
export const COLOUR_STAT_COUNT = COLOUR_STAT_NAMES.length;

// Module-level bindings of the fixed buffers (see colour.ts on why).
const { rgb: RGB, lightness: LIGHTNESS, labA: LAB_A, labB: LAB_B, chroma: CHROMA, saturation: SATURATION } = WORKING_PLANES;
const { order: ORDER, starts: STARTS } = regionMap(WORKING_SIZE);

/**
 * Per region of the working image (WORKING_PLANES): mean/std of R, G, B, L*, chroma, saturation;
 * mean Lab a and b; dark and white fractions. Returns REGION_COUNT rows of COLOUR_STAT_COUNT values
 * (COLOUR_STAT_NAMES order).
 */
export function colourStats(): Float64Array {
  const out = new Float64Array(REGION_COUNT * COLOUR_STAT_COUNT);
  for (let region = 0; region < REGION_COUNT; region++) regionColourStats(region, out);
  return out;
}

/**
 * One region's statistics into its row of `out`. The sums live in locals (registers) instead of a
 * per-region accumulator array; each still adds the region's pixels in ascending order (ORDER),
 * so every sum, and so every statistic, is the same double as before.
 */
function regionColourStats(region: number, out: Float64Array): void {
  let sR = 0, sR2 = 0, sG = 0, sG2 = 0, sB = 0, sB2 = 0;
  let sL = 0, sL2 = 0, sA = 0, sBl = 0, sC = 0, sC2 = 0, sS = 0, sS2 = 0;
  let dark = 0, white = 0;
  const end = STARTS[region + 1];
  for (let m = STARTS[region]; m < end; m++) {
    const i = ORDER[m];
    const r = RGB[3 * i];
    const g = RGB[3 * i + 1];
    const b = RGB[3 * i + 2];
    const l = LIGHTNESS[i];
    const c = CHROMA[i];
    const s = SATURATION[i];
    sR += r;
    sR2 += r * r;
    sG += g;
    sG2 += g * g;
    sB += b;
    sB2 += b * b;
    sL += l;
    sL2 += l * l;
    sA += LAB_A[i];
    sBl += LAB_B[i];
    sC += c;
    sC2 += c * c;
    sS += s;
    sS2 += s * s;
    if (l < DARK_LIGHTNESS) dark += 1;
    if (l > WHITE_LIGHTNESS && c < WHITE_MAX_CHROMA) white += 1;
  }
  const count = end - STARTS[region];
  const std = (sum: number, sum2: number) => Math.sqrt(Math.max(0, sum2 / count - (sum / count) * (sum / count)));
  out.set(
    [
      sR / count, sG / count, sB / count, std(sR, sR2), std(sG, sG2), std(sB, sB2),
      sL / count, std(sL, sL2), sA / count, sBl / count, sC / count, std(sC, sC2),
      sS / count, std(sS, sS2), dark / count, white / count,
    ],
    region * COLOUR_STAT_COUNT,
  );
}
