import { createHash } from 'node:crypto';
import { createRng } from '@cataract/gbdt-trainer'; // mulberry32: the pinned hashes depend on its exact sequence
import { LGBM_FEATURE_SET, WORKING_SIZE, featuresFromWorkingImage } from '@cataract/imaging';
import { colourPlanes } from '../src/features/colour';

/**
 * Trained models split on these exact values, so the feature computation must not change a single
 * bit without a new feature-set version (speed-ups included). These tests pin the bits.
 */

const PIXELS = WORKING_SIZE * WORKING_SIZE;

/** A noisy synthetic eye (pupil, iris, sclera) centred at (cx, cy) with the iris `radius`, in pixels. */
function eye(cx: number, cy: number, radius: number, pupil: readonly number[]): Uint8Array {
  const img = new Uint8Array(PIXELS * 3);
  const rand = createRng(cx * 1000 + cy);
  for (let y = 0; y < WORKING_SIZE; y++) {
    for (let x = 0; x < WORKING_SIZE; x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) / radius;
      const c = d < 0.4 ? pupil : d < 1 ? [120, 80, 50] : [235, 228, 222];
      for (let k = 0; k < 3; k++) {
        img[(y * WORKING_SIZE + x) * 3 + k] = Math.max(0, Math.min(255, c[k] + Math.round((rand() - 0.5) * 12)));
      }
    }
  }
  return img;
}

/** SHA-256 of the vectors computed by the eye-regions v2 implementation before its speed-up. */
const GOLDEN: Record<string, [() => Uint8Array, string]> = {
  black: [() => new Uint8Array(PIXELS * 3), '271178f77926432d7340b0a173c70a828d5301adf08e9bf9e32e3ada7e0f5a14'],
  white: [() => new Uint8Array(PIXELS * 3).fill(255), '320021de405b38fd57df404bebaef7dca3230be4447dc5a76ccc2d4d1bfa8c89'],
  grey: [() => new Uint8Array(PIXELS * 3).fill(128), 'c1c63579bf4230a6e3fa683c0806f0dc9e27c1c02d98acd269b834880b639cf4'],
  noise: [
    () => {
      const rand = createRng(12345);
      return Uint8Array.from({ length: PIXELS * 3 }, () => Math.floor(rand() * 256));
    },
    '0b4aee93eb8d4fc37e615ddc60c18ecf4d5de33060a2c5f94911bae3c004ff1e',
  ],
  darkEyeCentred: [() => eye(64, 64, 40, [15, 12, 10]), 'c5170a572a56af72044e692621e3d297cbd2a7caa96d5f480e6903bc7e6928a4'],
  cloudyEyeOffCentre: [() => eye(84, 49, 25, [185, 190, 195]), '291dc8196905c693541c1ed49aa3f616a31758ac2f46b729856a3e6db7c4645f'],
  largeEyeAtCorner: [() => eye(34, 94, 50, [40, 38, 45]), '8cb76675f18aa142e4f0f5ef8e5be2f776c01e0bf66a2559e062f03655b797aa'],
  smallEye: [() => eye(69, 69, 12, [15, 12, 10]), 'db81d7691a39068c47ed88ae1f40b9915cee841f89755006c6c6606480b4ae29'],
};

describe(`${LGBM_FEATURE_SET.name} v${LGBM_FEATURE_SET.version} exact values`, () => {
  it.each(Object.keys(GOLDEN))('%s: every feature is bit-identical to the reference', (name) => {
    const [image, sha256] = GOLDEN[name];
    const v = featuresFromWorkingImage(image());
    expect(createHash('sha256').update(Buffer.from(v.buffer, v.byteOffset, v.byteLength)).digest('hex')).toBe(sha256);
  });

  it('colour planes equal the straightforward per-pixel formulas (every 61st of the 2^24 colours)', () => {
    // The reference: the per-pixel conversion as first written (colour.ts computes the same
    // doubles through per-channel tables and batched cube roots). All 2^24 colours were checked
    // once in plain node (~3 s); under jest that takes minutes, so the test walks a prime stride.
    const linear = Float64Array.from({ length: 256 }, (_, v) => {
      const c = v / 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    const eps = Math.pow(6 / 29, 3);
    const slope = 1 / (3 * Math.pow(6 / 29, 2));
    const f = (t: number) => (t > eps ? Math.cbrt(t) : t * slope + 4 / 29);
    const rgb = new Uint8Array(PIXELS * 3);
    const want = new Float32Array(5 * PIXELS);
    let mismatches = 0;
    const STRIDE = 61;
    for (let first = 0; first < 1 << 24; first += PIXELS * STRIDE) {
      for (let i = 0; i < PIXELS; i++) {
        const colour = (first + i * STRIDE) % (1 << 24);
        const r8 = colour >> 16;
        const g8 = (colour >> 8) & 255;
        const b8 = colour & 255;
        rgb[3 * i] = r8;
        rgb[3 * i + 1] = g8;
        rgb[3 * i + 2] = b8;
        const r = linear[r8];
        const g = linear[g8];
        const b = linear[b8];
        const fx = f((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047);
        const fy = f(0.2126729 * r + 0.7151522 * g + 0.072175 * b);
        const fz = f((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883);
        const labA = 500 * (fx - fy);
        const labB = 200 * (fy - fz);
        const max = Math.max(r8, g8, b8);
        want[5 * i] = 116 * fy - 16;
        want[5 * i + 1] = labA;
        want[5 * i + 2] = labB;
        want[5 * i + 3] = Math.sqrt(labA * labA + labB * labB);
        want[5 * i + 4] = (max - Math.min(r8, g8, b8)) / Math.max(max, 32);
      }
      const { lightness, labA, labB, chroma, saturation } = colourPlanes(rgb);
      for (let i = 0; i < PIXELS; i++) {
        if (!Object.is(lightness[i], want[5 * i])) mismatches++;
        if (!Object.is(labA[i], want[5 * i + 1])) mismatches++;
        if (!Object.is(labB[i], want[5 * i + 2])) mismatches++;
        if (!Object.is(chroma[i], want[5 * i + 3])) mismatches++;
        if (!Object.is(saturation[i], want[5 * i + 4])) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });
});
