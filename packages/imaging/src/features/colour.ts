/**
 * Per-pixel colour planes of the working image: CIE L*a*b* (D65) from sRGB, Lab chroma and HSV
 * saturation (denominator floored at SATURATION_FLOOR). L* is the lightness used by percentiles, dark/white fractions and texture.
 *
 * Speed note, shared by the modules that read these planes: the planes are fixed-size buffers
 * created once at load time, and hot loops read them through module-level `const` bindings
 * (`const { lightness } = WORKING_PLANES` at the top of a module). V8 then compiles those loops
 * knowing each array's type, address and length, instead of re-checking an array that arrived as
 * a parameter on every element access (it does not hoist those checks out of loops); that alone
 * made these loops up to 2x faster. The extractor is synchronous and keeps only derived numbers, so
 * reusing the buffers across calls is safe.
 */
import { WORKING_SIZE } from './regions';

export interface ColourPlanes {
  /** The interleaved 8-bit RGB input (pixel i at 3i, 3i+1, 3i+2). */
  rgb: Uint8Array;
  lightness: Float32Array;
  labA: Float32Array;
  labB: Float32Array;
  chroma: Float32Array;
  saturation: Float32Array;
}

const PIXELS = WORKING_SIZE * WORKING_SIZE;

/** The planes of the working image last passed to colourPlanes. */
const WORKING_PLANES: Readonly<ColourPlanes> = Object.freeze({
  rgb: new Uint8Array(3 * PIXELS),
  lightness: new Float32Array(PIXELS),
  labA: new Float32Array(PIXELS),
  labB: new Float32Array(PIXELS),
  chroma: new Float32Array(PIXELS),
  saturation: new Float32Array(PIXELS),
});
export { WORKING_PLANES };
const { rgb: RGB, lightness: LIGHTNESS, labA: LAB_A, labB: LAB_B, chroma: CHROMA, saturation: SATURATION } = WORKING_PLANES;

const SRGB_TO_LINEAR = (() => {
  const t = new Float64Array(256);
  for (let v = 0; v < 256; v++) {
    const c = v / 255;
    t[v] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }
  return t;
})();

/**
 * sRGB primaries -> XYZ matrix applied per channel: `coefficient * linear(v)` for every 8-bit v.
 * These are the very products the per-pixel expression computed, still summed red + green + blue
 * in that order, so X, Y and Z keep every bit.
 */
const linearTimes = (coefficient: number) => SRGB_TO_LINEAR.map((linear) => coefficient * linear);
const X_R = linearTimes(0.4124564);
const X_G = linearTimes(0.3575761);
const X_B = linearTimes(0.1804375);
const Y_R = linearTimes(0.2126729);
const Y_G = linearTimes(0.7151522);
const Y_B = linearTimes(0.072175);
const Z_R = linearTimes(0.0193339);
const Z_G = linearTimes(0.119192);
const Z_B = linearTimes(0.9503041);

/** Smallest denominator of the saturation ratio (8-bit levels). */
const SATURATION_FLOOR = 32;
export { SATURATION_FLOOR };

const EPS = Math.pow(6 / 29, 3);
const LIN_SLOPE = 1 / (3 * Math.pow(6 / 29, 2));

/**
 * Pixels converted per batch. The three cube roots per pixel dominate the conversion; Math.cbrt
 * is a call into C, and it costs about half as much in a loop that does nothing else (few live
 * values to save around each call) as inside the full per-pixel loop. So each batch goes
 * XYZ -> f(XYZ) in place -> Lab planes, through a small buffer that stays in L1. One row per
 * batch (PIXELS is a whole number of batches).
 */
const BATCH = WORKING_SIZE;
const F_XYZ = new Float64Array(3 * BATCH);

/**
 * Colour planes of a WORKING_SIZE x WORKING_SIZE RGB image: fills and returns WORKING_PLANES
 * (overwritten by the next call).
 */
export function colourPlanes(rgb: Uint8Array): Readonly<ColourPlanes> {
  if (rgb.length !== RGB.length) throw new RangeError(`expected ${RGB.length} RGB bytes, got ${rgb.length}`);
  RGB.set(rgb);
  for (let start = 0; start < PIXELS; start += BATCH) {
    whitePointRelativeXyz(start);
    labFInPlace();
    labPlanes(start);
  }
  return WORKING_PLANES;
}

/**
 * X/Xn, Y/Yn, Z/Zn of pixels [start, start + BATCH) into F_XYZ, three values per pixel, and their
 * HSV saturation (done here while the 8-bit values are at hand).
 */
function whitePointRelativeXyz(start: number): void {
  for (let i = start, p = 3 * start, k = 0; k < 3 * BATCH; i++, p += 3, k += 3) {
    const r8 = RGB[p];
    const g8 = RGB[p + 1];
    const b8 = RGB[p + 2];
    // sRGB primaries -> XYZ, divided by the D65 white point (Yn = 1).
    F_XYZ[k] = (X_R[r8] + X_G[g8] + X_B[b8]) / 0.95047;
    F_XYZ[k + 1] = Y_R[r8] + Y_G[g8] + Y_B[b8];
    F_XYZ[k + 2] = (Z_R[r8] + Z_G[g8] + Z_B[b8]) / 1.08883;
    // HSV saturation with the denominator floored: near-black pixels (a healthy pupil) would
    // otherwise turn JPEG noise of a few levels into saturation swings of 0..1.
    const max = Math.max(r8, g8, b8);
    SATURATION[i] = (max - Math.min(r8, g8, b8)) / Math.max(max, SATURATION_FLOOR);
  }
}

/** The CIE Lab companding function f(t), applied to F_XYZ in place. */
function labFInPlace(): void {
  for (let k = 0; k < 3 * BATCH; k++) {
    const t = F_XYZ[k];
    F_XYZ[k] = t > EPS ? Math.cbrt(t) : t * LIN_SLOPE + 4 / 29;
  }
}

/** L*, a*, b* and chroma of pixels [start, start + BATCH) from their f(X/Xn), f(Y/Yn), f(Z/Zn). */
function labPlanes(start: number): void {
  for (let i = start, k = 0; k < 3 * BATCH; i++, k += 3) {
    const fx = F_XYZ[k];
    const fy = F_XYZ[k + 1];
    const fz = F_XYZ[k + 2];
    const labA = 500 * (fx - fy);
    const labB = 200 * (fy - fz);
    LIGHTNESS[i] = 116 * fy - 16;
    LAB_A[i] = labA;
    LAB_B[i] = labB;
    // From the float64 a* and b*, before they are stored as float32.
    CHROMA[i] = Math.sqrt(labA * labA + labB * labB);
  }
}
