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
 * The cube roots, without calling Math.cbrt for almost every value (49,152 calls into C per image
 * were a quarter of the extractor's time). t^(1/3) is read off a Taylor polynomial of degree 7
 * around the middle of t's segment: each power of two [2^e, 2^(e+1)) is cut into 32 segments,
 * found from the top bits of t's float64 (exponent and 5 mantissa bits); no division. For every
 * t > EPS that X/Xn, Y/Yn or Z/Zn can take (about 5e7 values, all below 1.0000002) the polynomial
 * is within 2.3e-16 (one unit in the last place) of Math.cbrt(t): bench/colour-identity.js
 * measures it over all of them.
 *
 * That alone would not give the same planes: they must hold exactly the float32 values computed
 * from Math.cbrt's f. labPlanes therefore stores a value (L*, a*, b*, chroma) only where rounding
 * to float32 provably cannot tell the two apart, and otherwise recomputes the pixel with
 * Math.cbrt. bench/colour-identity.js checks the planes of all 2^24 colours.
 */
const SEGMENT_BITS = 5;
const DEGREE = 7;
/** The lowest power of two with segments: 2^-7 < EPS. t < 2 (in fact <= 1.0000002): 8 powers. */
const LOWEST_EXPONENT = -7;
const SEGMENTS = 8 << SEGMENT_BITS;
/** Per segment: its middle m, then the Taylor coefficients of t^(1/3) at m, constant term first. */
const SEGMENT_ENTRIES = DEGREE + 2;
const CUBE_ROOT_SEGMENTS = (() => {
  const table = new Float64Array(SEGMENTS * SEGMENT_ENTRIES);
  for (let s = 0; s < SEGMENTS; s++) {
    const exponent = (s >> SEGMENT_BITS) + LOWEST_EXPONENT;
    const m = Math.pow(2, exponent) * (1 + ((s & ((1 << SEGMENT_BITS) - 1)) + 0.5) / (1 << SEGMENT_BITS));
    table[s * SEGMENT_ENTRIES] = m;
    // d^j/dt^j t^(1/3) / j! at m: each coefficient is the previous times (1/3 - (j - 1)) / (j m).
    let coefficient = Math.cbrt(m);
    for (let j = 0; j <= DEGREE; j++) {
      table[s * SEGMENT_ENTRIES + 1 + j] = coefficient;
      coefficient = (coefficient * (1 / 3 - j)) / (j + 1) / m;
    }
  }
  return table;
})();
/** The segment of t from the high 32 bits of its float64 (biased exponent, then mantissa). */
const FIRST_SEGMENT_KEY = (1023 + LOWEST_EXPONENT) << SEGMENT_BITS;

/**
 * The polynomial's cube root of t > EPS, given `high`, the high 32 bits of t's float64. t - m is
 * exact (t and m are within a factor of two), so only the Horner steps round.
 */
function polynomialCubeRoot(t: number, high: number): number {
  const s = ((high >> (20 - SEGMENT_BITS)) - FIRST_SEGMENT_KEY) * SEGMENT_ENTRIES;
  const c = CUBE_ROOT_SEGMENTS;
  const u = t - c[s];
  return ((((((c[s + 8] * u + c[s + 7]) * u + c[s + 6]) * u + c[s + 5]) * u + c[s + 4]) * u + c[s + 3]) * u + c[s + 2]) * u + c[s + 1];
}

/**
 * How far the polynomial may be from Math.cbrt (4x the largest difference over all its inputs),
 * and so how far each float64 value may be from the one computed from Math.cbrt's f before both
 * are rounded to float32. With fx, fy, fz each off by at most CUBE_ROOT_ERROR, L* = 116 fy - 16
 * moves by at most 116 x CUBE_ROOT_ERROR, a* = 500 (fx - fy) by 1000 x, b* = 200 (fy - fz) by
 * 400 x, and chroma = sqrt(a*^2 + b*^2) by at most a*'s and b*'s moves together (it is
 * 1-Lipschitz). ROUNDING_ALLOWANCE (1e-12) covers the roundings of each step, which may differ
 * between the two (each a few units of 2^-53 of values below ~130: under 1e-13).
 */
const CUBE_ROOT_ERROR = 1e-15;
const ROUNDING_ALLOWANCE = 1e-12;
const L_TOLERANCE = 116 * CUBE_ROOT_ERROR + ROUNDING_ALLOWANCE;
const A_TOLERANCE = 1000 * CUBE_ROOT_ERROR + ROUNDING_ALLOWANCE;
const B_TOLERANCE = 400 * CUBE_ROOT_ERROR + ROUNDING_ALLOWANCE;
const CHROMA_TOLERANCE = A_TOLERANCE + B_TOLERANCE + ROUNDING_ALLOWANCE;

/** Which int32 of a float64 holds its high bits (1 on little-endian machines). */
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * Pixels converted per batch: one row (PIXELS is a whole number of batches). Each batch goes
 * XYZ -> f(XYZ) -> Lab planes through small buffers that stay in L1: RELATIVE_XYZ holds X/Xn,
 * Y/Yn, Z/Zn (three values per pixel, also read as int32 for their high bits), F_XYZ their f.
 */
const BATCH = WORKING_SIZE;
const RELATIVE_XYZ = new Float64Array(3 * BATCH);
const RELATIVE_XYZ_WORDS = new Int32Array(RELATIVE_XYZ.buffer);
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
    labF();
    labPlanes(start);
  }
  return WORKING_PLANES;
}

/**
 * X/Xn, Y/Yn, Z/Zn of pixels [start, start + BATCH) into RELATIVE_XYZ, three values per pixel, and
 * their HSV saturation (done here while the 8-bit values are at hand).
 */
function whitePointRelativeXyz(start: number): void {
  for (let i = start, p = 3 * start, k = 0; k < 3 * BATCH; i++, p += 3, k += 3) {
    const r8 = RGB[p];
    const g8 = RGB[p + 1];
    const b8 = RGB[p + 2];
    // sRGB primaries -> XYZ, divided by the D65 white point (Yn = 1).
    RELATIVE_XYZ[k] = (X_R[r8] + X_G[g8] + X_B[b8]) / 0.95047;
    RELATIVE_XYZ[k + 1] = Y_R[r8] + Y_G[g8] + Y_B[b8];
    RELATIVE_XYZ[k + 2] = (Z_R[r8] + Z_G[g8] + Z_B[b8]) / 1.08883;
    // HSV saturation with the denominator floored: near-black pixels (a healthy pupil) would
    // otherwise turn JPEG noise of a few levels into saturation swings of 0..1.
    const max = Math.max(r8, g8, b8);
    SATURATION[i] = (max - Math.min(r8, g8, b8)) / Math.max(max, SATURATION_FLOOR);
  }
}

/** The CIE Lab companding function f(t) of RELATIVE_XYZ into F_XYZ, cube roots from the polynomial. */
function labF(): void {
  for (let k = 0; k < 3 * BATCH; k++) {
    const t = RELATIVE_XYZ[k];
    F_XYZ[k] = t > EPS ? polynomialCubeRoot(t, RELATIVE_XYZ_WORDS[2 * k + HIGH_WORD]) : t * LIN_SLOPE + 4 / 29;
  }
}

/** The CIE Lab companding function f(t) as defined, with Math.cbrt. */
function exactLabF(t: number): number {
  return t > EPS ? Math.cbrt(t) : t * LIN_SLOPE + 4 / 29;
}

/**
 * L*, a*, b* and chroma of pixels [start, start + BATCH) from their f(X/Xn), f(Y/Yn), f(Z/Zn).
 *
 * Each value is computed in float64 from F_XYZ and stored as float32. The same value computed from
 * Math.cbrt's f lies within its tolerance (above), and rounding to float32 is monotone: when both
 * ends of [value - tolerance, value + tolerance] round to the same float32, so does the value
 * Math.cbrt would have given, and that float32 is stored. Otherwise (about 1 % of real pixels,
 * mostly greys, whose a* and b* are rounding noise near 0) the pixel is recomputed with Math.cbrt,
 * exactly as before.
 */
function labPlanes(start: number): void {
  const round = Math.fround;
  for (let i = start, k = 0; k < 3 * BATCH; i++, k += 3) {
    let fx = F_XYZ[k];
    let fy = F_XYZ[k + 1];
    let fz = F_XYZ[k + 2];
    let labA = 500 * (fx - fy);
    let labB = 200 * (fy - fz);
    let lightness = 116 * fy - 16;
    // From the float64 a* and b*, before they are stored as float32.
    let chroma = Math.sqrt(labA * labA + labB * labB);
    if (
      round(lightness - L_TOLERANCE) !== round(lightness + L_TOLERANCE) ||
      round(labA - A_TOLERANCE) !== round(labA + A_TOLERANCE) ||
      round(labB - B_TOLERANCE) !== round(labB + B_TOLERANCE) ||
      round(chroma - CHROMA_TOLERANCE) !== round(chroma + CHROMA_TOLERANCE)
    ) {
      fx = exactLabF(RELATIVE_XYZ[k]);
      fy = exactLabF(RELATIVE_XYZ[k + 1]);
      fz = exactLabF(RELATIVE_XYZ[k + 2]);
      labA = 500 * (fx - fy);
      labB = 200 * (fy - fz);
      lightness = 116 * fy - 16;
      chroma = Math.sqrt(labA * labA + labB * labB);
    }
    LIGHTNESS[i] = lightness;
    LAB_A[i] = labA;
    LAB_B[i] = labB;
    CHROMA[i] = chroma;
  }
}

/**
 * For bench/colour-identity.js: the polynomial's cube root of t (EPS < t < 2), and the tolerance
 * it is used with.
 */
export function approximateCubeRoot(t: number): number {
  const word = new Float64Array([t]);
  return polynomialCubeRoot(t, new Int32Array(word.buffer)[HIGH_WORD]);
}
export { CUBE_ROOT_ERROR, EPS as CUBE_ROOT_THRESHOLD };
