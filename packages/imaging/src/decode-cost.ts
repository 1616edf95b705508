import type { ImageProbe } from './probe';

/** One unit of decode work: about one megapixel decoded (a typical eye photo costs one). */
export const COST_UNIT_PIXELS = 1_000_000;

/**
 * The smallest side the models' resizes ask for (lgbm's working square is 128, clip's input 224):
 * shrink-on-load never goes below it.
 */
const SMALLEST_TARGET_SIDE = 256;

/**
 * How much decode work an image is, in COST_UNIT_PIXELS units (at least 1), from its header alone:
 * what the serving decode really produces, not what the header multiplies to. libvips decodes JPEG
 * and WebP with shrink-on-load (the decoder scales by 1/2, 1/4 or 1/8 while reading when the
 * resize that follows asks for less), so a 40 MP JPEG decodes about 0.6 MP; PNG has no such
 * scaling, so a 40 MP PNG decodes all 40. The entropy data is read whole either way: an
 * allowance of a sixteenth of the full size covers it.
 */
export function decodeCostUnits(probe: Pick<ImageProbe, 'format' | 'width' | 'height'>): number {
  const pixels = probe.width * probe.height;
  const shrink = probe.format === 'png' ? 1 : shrinkOnLoad(Math.min(probe.width, probe.height));
  const decoded = pixels / (shrink * shrink);
  return Math.max(1, Math.ceil((decoded + pixels / 16) / COST_UNIT_PIXELS));
}

/** The largest of 1, 2, 4, 8 that keeps the short side at SMALLEST_TARGET_SIDE or more. */
function shrinkOnLoad(shortSide: number): number {
  let factor = 1;
  while (factor < 8 && shortSide / (factor * 2) >= SMALLEST_TARGET_SIDE) factor *= 2;
  return factor;
}
