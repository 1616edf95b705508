/**
 * Per-pixel colour planes of the working image: CIE L*a*b* (D65) from sRGB, Lab chroma and HSV
 * saturation (denominator floored at SATURATION_FLOOR). L* is the lightness used by percentiles, dark/white fractions and texture.
 */
export interface ColourPlanes {
  r: Uint8Array;
  g: Uint8Array;
  b: Uint8Array;
  lightness: Float32Array;
  labA: Float32Array;
  labB: Float32Array;
  chroma: Float32Array;
  saturation: Float32Array;
}

const SRGB_TO_LINEAR = (() => {
  const t = new Float64Array(256);
  for (let v = 0; v < 256; v++) {
    const c = v / 255;
    t[v] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }
  return t;
})();

/** Smallest denominator of the saturation ratio (8-bit levels). */
export const SATURATION_FLOOR = 32;

const EPS = Math.pow(6 / 29, 3);
const LIN_SLOPE = 1 / (3 * Math.pow(6 / 29, 2));

function labF(t: number): number {
  return t > EPS ? Math.cbrt(t) : t * LIN_SLOPE + 4 / 29;
}

let scratch: ColourPlanes | undefined;

/**
 * Colour planes of `pixels` RGB pixels. The planes are module-level scratch reused by the next
 * call (the extractor is synchronous and only keeps derived numbers), which spares ~400 KB of
 * garbage per image.
 */
export function colourPlanes(rgb: Uint8Array, pixels: number): ColourPlanes {
  if (!scratch || scratch.r.length !== pixels) {
    scratch = {
      r: new Uint8Array(pixels),
      g: new Uint8Array(pixels),
      b: new Uint8Array(pixels),
      lightness: new Float32Array(pixels),
      labA: new Float32Array(pixels),
      labB: new Float32Array(pixels),
      chroma: new Float32Array(pixels),
      saturation: new Float32Array(pixels),
    };
  }
  const planes = scratch;
  for (let i = 0, p = 0; i < pixels; i++, p += 3) {
    const r8 = rgb[p];
    const g8 = rgb[p + 1];
    const b8 = rgb[p + 2];
    planes.r[i] = r8;
    planes.g[i] = g8;
    planes.b[i] = b8;
    const r = SRGB_TO_LINEAR[r8];
    const g = SRGB_TO_LINEAR[g8];
    const b = SRGB_TO_LINEAR[b8];
    // sRGB primaries -> XYZ, divided by the D65 white point.
    const fx = labF((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047);
    const fy = labF(0.2126729 * r + 0.7151522 * g + 0.072175 * b);
    const fz = labF((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883);
    const labA = 500 * (fx - fy);
    const labB = 200 * (fy - fz);
    planes.lightness[i] = 116 * fy - 16;
    planes.labA[i] = labA;
    planes.labB[i] = labB;
    planes.chroma[i] = Math.sqrt(labA * labA + labB * labB);
    const max = Math.max(r8, g8, b8);
    // HSV saturation with the denominator floored: near-black pixels (a healthy pupil) would
    // otherwise turn JPEG noise of a few levels into saturation swings of 0..1.
    planes.saturation[i] = (max - Math.min(r8, g8, b8)) / Math.max(max, SATURATION_FLOOR);
  }
  return planes;
}
