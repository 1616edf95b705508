// @ts-check
/**
 * Exhaustive check of the colour planes (src/features/colour.ts), which compute their cube roots
 * from a polynomial instead of Math.cbrt: for all 2^24 RGB colours, L*, a*, b*, chroma and
 * saturation must be the very float32 values of the straightforward per-pixel formulas with
 * Math.cbrt (the reference below, as first written), and, with `--baseline DIST`, those of another
 * build's colourPlanes. Also measures the polynomial against Math.cbrt over every value it can be
 * asked for (X/Xn, Y/Yn, Z/Zn above the threshold, 3 x 2^24 of them) and fails when the largest
 * difference exceeds the CUBE_ROOT_ERROR that colour.ts relies on. Takes a few seconds.
 * Run: `npx tsc -b packages/imaging && node packages/imaging/bench/colour-identity.js [--baseline DIST]`
 */
const { join, resolve } = require('node:path');
const colour = require('../dist/features/colour');

const at = process.argv.indexOf('--baseline');
const baseline = at > 0 ? require(join(resolve(process.argv[at + 1]), 'features/colour')) : undefined;

const SIZE = 128;
const PIXELS = SIZE * SIZE;
const NAMES = /** @type {const} */ (['lightness', 'labA', 'labB', 'chroma', 'saturation']);

// The reference: sRGB -> XYZ (D65) -> CIE L*a*b*, per pixel, with Math.cbrt.
const linear = Float64Array.from({ length: 256 }, (_, v) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
});
const eps = Math.pow(6 / 29, 3);
const slope = 1 / (3 * Math.pow(6 / 29, 2));
const f = (/** @type {number} */ t) => (t > eps ? Math.cbrt(t) : t * slope + 4 / 29);
/** The relative X, Y, Z exactly as colour.ts forms them (per-channel products, summed r + g + b). */
const times = (/** @type {number} */ k) => linear.map((l) => k * l);
const X = [times(0.4124564), times(0.3575761), times(0.1804375)];
const Y = [times(0.2126729), times(0.7151522), times(0.072175)];
const Z = [times(0.0193339), times(0.119192), times(0.9503041)];

const rgb = new Uint8Array(PIXELS * 3);
const want = NAMES.map(() => new Float32Array(PIXELS));
let differing = 0;
let differingFromBaseline = 0;
let largestError = 0;
let roots = 0;
const started = Date.now();
for (let first = 0; first < 1 << 24; first += PIXELS) {
  for (let i = 0; i < PIXELS; i++) {
    const c = first + i;
    const [r8, g8, b8] = [c & 255, (c >> 8) & 255, c >> 16];
    rgb.set([r8, g8, b8], 3 * i);
    const r = linear[r8];
    const g = linear[g8];
    const b = linear[b8];
    const fx = f((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047);
    const fy = f(0.2126729 * r + 0.7151522 * g + 0.072175 * b);
    const fz = f((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883);
    const labA = 500 * (fx - fy);
    const labB = 200 * (fy - fz);
    const max = Math.max(r8, g8, b8);
    want[0][i] = 116 * fy - 16;
    want[1][i] = labA;
    want[2][i] = labB;
    want[3][i] = Math.sqrt(labA * labA + labB * labB);
    want[4][i] = (max - Math.min(r8, g8, b8)) / Math.max(max, 32);
    for (const t of [(X[0][r8] + X[1][g8] + X[2][b8]) / 0.95047, Y[0][r8] + Y[1][g8] + Y[2][b8], (Z[0][r8] + Z[1][g8] + Z[2][b8]) / 1.08883]) {
      if (!(t > colour.CUBE_ROOT_THRESHOLD)) continue;
      largestError = Math.max(largestError, Math.abs(colour.approximateCubeRoot(t) - Math.cbrt(t)));
      roots++;
    }
  }
  const planes = colour.colourPlanes(rgb);
  NAMES.forEach((name, k) => {
    for (let i = 0; i < PIXELS; i++) if (!Object.is(planes[name][i], want[k][i])) differing++;
  });
  if (baseline) {
    const got = NAMES.map((name) => Float32Array.from(planes[name]));
    const other = baseline.colourPlanes(rgb);
    NAMES.forEach((name, k) => {
      for (let i = 0; i < PIXELS; i++) if (!Object.is(other[name][i], got[k][i])) differingFromBaseline++;
    });
  }
}
const result = {
  colours: 1 << 24,
  planeValues: NAMES.length << 24,
  differingFromReference: differing,
  ...(baseline ? { differingFromBaseline } : {}),
  cubeRootsChecked: roots,
  largestCubeRootError: largestError,
  allowedCubeRootError: colour.CUBE_ROOT_ERROR,
  seconds: (Date.now() - started) / 1000,
};
console.log(JSON.stringify(result));
if (differing > 0 || differingFromBaseline > 0 || !(largestError <= colour.CUBE_ROOT_ERROR)) process.exit(1);
