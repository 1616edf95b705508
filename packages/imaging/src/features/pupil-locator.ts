/**
 * Second stage of the eye search: the pupil inside the located iris. The disk (centre within 0.3
 * iris radii of the iris centre, radius 0.2..0.65 iris radii) that differs most from the ring just
 * outside it, in either direction: a healthy pupil is darker than the iris, a cataract lens is often
 * lighter. Sampled on the same blurred locator grid as the iris circle.
 */
import { sampleBilinear } from './bilinear';
import { EyeCircle, LOCATOR_RADII, LOCATOR_SIZE } from './eye-locator';

export const PUPIL_RADIUS_FRACTIONS = [0.2, 0.28, 0.36, 0.45, 0.55, 0.65] as const;
const CENTRE_SPAN = 0.3;
const ANGLES = 16;
const COS = Float64Array.from({ length: ANGLES }, (_, k) => Math.cos((2 * Math.PI * k) / ANGLES));
const SIN = Float64Array.from({ length: ANGLES }, (_, k) => Math.sin((2 * Math.PI * k) / ANGLES));
/**
 * The circles measured around each candidate centre, as multiples of its radius: two inside the
 * disk (with the centre sample they make "inside") and two in the ring just outside ("outside").
 */
const CIRCLES = [0.4, 0.75, 1.2, 1.45] as const;
if (CIRCLES.length !== 4) throw new Error('circleMeans sums the four circles of a radius side by side');

export interface PupilCircle {
  /** Centre and radius on the locator grid. */
  x: number;
  y: number;
  r: number;
  /** Mean L* inside minus mean L* of the ring outside (positive: lighter than the iris). */
  contrast: number;
}

/**
 * Bilinear taps (bilinear.ts) of every sample of one call, per axis: entry (c * PER_CENTRE +
 * (radius * CIRCLES.length + circle) * ANGLES + angle) for the c-th candidate centre. Filled per
 * call (they depend on the iris), sized for the largest iris; module-level constants like the
 * plane the search copies its input into (see colour.ts on why).
 */
const SIZE = LOCATOR_SIZE;
// Held as float64 (exact copies of the float32 values): spares a conversion per read.
const PLANE = new Float64Array(SIZE * SIZE);
const PER_CENTRE = PUPIL_RADIUS_FRACTIONS.length * CIRCLES.length * ANGLES;
const MAX_SPAN = centreSpan(Math.max(...LOCATOR_RADII));
const X_START = new Int32Array((2 * MAX_SPAN + 1) * PER_CENTRE);
const X_FRAC = new Float64Array((2 * MAX_SPAN + 1) * PER_CENTRE);
const Y_START = new Int32Array((2 * MAX_SPAN + 1) * PER_CENTRE);
const Y_FRAC = new Float64Array((2 * MAX_SPAN + 1) * PER_CENTRE);

/** Candidate centres lie within this many cells of the iris centre along x and y. */
function centreSpan(irisRadius: number): number {
  return Math.max(1, Math.round(CENTRE_SPAN * irisRadius));
}

/** Offsets of every circle sample along one axis: (multiple * r) * cos(angle). */
function circleOffsets(radii: readonly number[], trig: Float64Array): Float64Array {
  const out = new Float64Array(PER_CENTRE);
  let e = 0;
  for (const r of radii) {
    for (const multiple of CIRCLES) {
      const rho = multiple * r;
      for (let k = 0; k < ANGLES; k++) out[e++] = rho * trig[k];
    }
  }
  return out;
}

/**
 * fillAxisTaps (bilinear.ts) for the centres origin - span .. origin + span into X_START and
 * X_FRAC, or Y_START and Y_FRAC: the same coordinates (centre + offset), clamp, cell and fraction,
 * written out here so the loop stores into this module's const tables (see sample()): the generic
 * function, writing through parameters, took 1.7x as long, a fifth of the whole search.
 */
function fillTaps(origin: number, span: number, offsets: Float64Array, y: boolean): void {
  const max = SIZE - 1.001;
  const stride = y ? SIZE : 1;
  for (let c = 0, e = 0; c <= 2 * span; c++) {
    const centre = origin + (c - span);
    for (let j = 0; j < PER_CENTRE; j++, e++) {
      const v = centre + offsets[j];
      const cv = v < 0 ? 0 : v > max ? max : v;
      const v0 = cv | 0;
      if (y) {
        Y_START[e] = v0 * stride;
        Y_FRAC[e] = cv - v0;
      } else {
        X_START[e] = v0 * stride;
        X_FRAC[e] = cv - v0;
      }
    }
  }
}

/**
 * sampleBilinear(PLANE, SIZE, x, y) for the x of tap `xi` and the y of tap `yi`. Each locator keeps
 * its own copy on purpose: it reads this module's const PLANE and tap tables, which V8 compiles
 * for one known array (passing them as parameters made the search 2-3x slower; see colour.ts).
 */
function sample(xi: number, yi: number): number {
  const i = Y_START[yi] + X_START[xi];
  const fx = X_FRAC[xi];
  const fy = Y_FRAC[yi];
  return (PLANE[i] * (1 - fx) + PLANE[i + 1] * fx) * (1 - fy) + (PLANE[i + SIZE] * (1 - fx) + PLANE[i + SIZE + 1] * fx) * fy;
}

/**
 * Means of all circles around the centre whose taps start at xi and yi, into MEANS. The four
 * circles of one radius are summed side by side: each sum still adds its own 16 samples in angle
 * order (so it is the same double), but the four chains of dependent additions now overlap instead
 * of each waiting for the previous circle's last addition.
 */
const MEANS = new Float64Array(PUPIL_RADIUS_FRACTIONS.length * CIRCLES.length);
function circleMeans(xi: number, yi: number): void {
  for (let c = 0; c < MEANS.length; c += 4, xi += 4 * ANGLES, yi += 4 * ANGLES) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0; k < ANGLES; k++) {
      s0 += sample(xi + k, yi + k);
      s1 += sample(xi + ANGLES + k, yi + ANGLES + k);
      s2 += sample(xi + 2 * ANGLES + k, yi + 2 * ANGLES + k);
      s3 += sample(xi + 3 * ANGLES + k, yi + 3 * ANGLES + k);
    }
    MEANS[c] = s0 / ANGLES;
    MEANS[c + 1] = s1 / ANGLES;
    MEANS[c + 2] = s2 / ANGLES;
    MEANS[c + 3] = s3 / ANGLES;
  }
}

/** Pupil of the iris `eye` on the blurred lightness plane (the one locateEye searched). Ties keep the first found. */
export function locatePupil(lightness: Float32Array, size: number, eye: EyeCircle): PupilCircle {
  if (size !== SIZE || lightness.length !== PLANE.length) throw new RangeError(`locatePupil needs a ${SIZE}x${SIZE} plane`);
  const span = centreSpan(eye.r);
  if (span > MAX_SPAN) throw new RangeError(`iris radius ${eye.r} above the largest searched (${Math.max(...LOCATOR_RADII)})`);
  PLANE.set(lightness);
  const radii = PUPIL_RADIUS_FRACTIONS.map((f) => Math.max(1.5, f * eye.r));
  const shifts: number[] = [];
  for (let d = -span; d <= span; d++) shifts.push(d);
  fillTaps(eye.x, span, circleOffsets(radii, COS), false);
  fillTaps(eye.y, span, circleOffsets(radii, SIN), true);

  let best: PupilCircle = { x: eye.x, y: eye.y, r: 0.4 * eye.r, contrast: 0 };
  let bestAbs = -1;
  for (let cy = 0; cy < shifts.length; cy++) {
    for (let cx = 0; cx < shifts.length; cx++) {
      const x = eye.x + shifts[cx];
      const y = eye.y + shifts[cy];
      // The centre sample does not depend on the radius.
      const centre = sampleBilinear(PLANE, SIZE, x, y);
      circleMeans(cx * PER_CENTRE, cy * PER_CENTRE);
      for (let f = 0; f < radii.length; f++) {
        const c = f * CIRCLES.length;
        const inside = (centre + MEANS[c] + MEANS[c + 1]) / 3;
        const outside = (MEANS[c + 2] + MEANS[c + 3]) / 2;
        const contrast = inside - outside;
        if (Math.abs(contrast) > bestAbs) {
          bestAbs = Math.abs(contrast);
          best = { x, y, r: radii[f], contrast };
        }
      }
    }
  }
  return best;
}
