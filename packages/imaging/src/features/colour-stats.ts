import { ColourPlanes } from './colour';
import { REGION_COUNT, RegionMap } from './regions';

/** L* below this counts as "dark" (a healthy pupil is near black). */
export const DARK_LIGHTNESS = 25;
/** L* above this with Lab chroma below WHITE_MAX_CHROMA counts as "white" (sclera, opaque lens). */
export const WHITE_LIGHTNESS = 75;
export const WHITE_MAX_CHROMA = 15;

/** Names of the per-region colour statistics, in output order. */
export const COLOUR_STAT_NAMES = [
  'r_mean', 'g_mean', 'b_mean', 'r_std', 'g_std', 'b_std',
  'l_mean', 'l_std', 'lab_a_mean', 'lab_b_mean', 'chroma_mean', 'chroma_std',
  'sat_mean', 'sat_std', 'dark_frac', 'white_frac',
] as const;
export type ColourStatName = (typeof COLOUR_STAT_NAMES)[number];

/** Slots of the per-region accumulator (sums and sums of squares). */
const Acc = {
  R: 0, R2: 1, G: 2, G2: 3, B: 4, B2: 5, L: 6, L2: 7, A: 8, Bl: 9, C: 10, C2: 11, S: 12, S2: 13, Dark: 14, White: 15, N: 16,
} as const;
const ACC_WIDTH = 17;

/** Per region: mean/std of R, G, B, L*, chroma, saturation; mean Lab a and b; dark and white fractions. */
export function colourStats(planes: ColourPlanes, regions: RegionMap): Record<ColourStatName, number>[] {
  const acc = new Float64Array(REGION_COUNT * ACC_WIDTH);
  const { index } = regions;
  const n = index.length;
  for (let i = 0; i < n; i++) {
    const o = index[i] * ACC_WIDTH;
    const r = planes.r[i];
    const g = planes.g[i];
    const b = planes.b[i];
    const l = planes.lightness[i];
    const c = planes.chroma[i];
    const s = planes.saturation[i];
    acc[o + Acc.R] += r;
    acc[o + Acc.R2] += r * r;
    acc[o + Acc.G] += g;
    acc[o + Acc.G2] += g * g;
    acc[o + Acc.B] += b;
    acc[o + Acc.B2] += b * b;
    acc[o + Acc.L] += l;
    acc[o + Acc.L2] += l * l;
    acc[o + Acc.A] += planes.labA[i];
    acc[o + Acc.Bl] += planes.labB[i];
    acc[o + Acc.C] += c;
    acc[o + Acc.C2] += c * c;
    acc[o + Acc.S] += s;
    acc[o + Acc.S2] += s * s;
    if (l < DARK_LIGHTNESS) acc[o + Acc.Dark] += 1;
    if (l > WHITE_LIGHTNESS && c < WHITE_MAX_CHROMA) acc[o + Acc.White] += 1;
    acc[o + Acc.N] += 1;
  }
  const out: Record<ColourStatName, number>[] = [];
  for (let region = 0; region < REGION_COUNT; region++) {
    const o = region * ACC_WIDTH;
    const count = acc[o + Acc.N];
    const mean = (k: number) => acc[o + k] / count;
    const std = (k: number, k2: number) => Math.sqrt(Math.max(0, acc[o + k2] / count - mean(k) * mean(k)));
    out.push({
      r_mean: mean(Acc.R),
      g_mean: mean(Acc.G),
      b_mean: mean(Acc.B),
      r_std: std(Acc.R, Acc.R2),
      g_std: std(Acc.G, Acc.G2),
      b_std: std(Acc.B, Acc.B2),
      l_mean: mean(Acc.L),
      l_std: std(Acc.L, Acc.L2),
      lab_a_mean: mean(Acc.A),
      lab_b_mean: mean(Acc.Bl),
      chroma_mean: mean(Acc.C),
      chroma_std: std(Acc.C, Acc.C2),
      sat_mean: mean(Acc.S),
      sat_std: std(Acc.S, Acc.S2),
      dark_frac: mean(Acc.Dark),
      white_frac: mean(Acc.White),
    });
  }
  return out;
}
