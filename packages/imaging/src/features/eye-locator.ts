/**
 * Locates the eye (iris/limbus circle) instead of assuming it sits in the middle of the photo.
 * Daugman-style integro-differential search on the blurred LOCATOR_SIZE lightness grid: the circle
 * whose outside is brightest relative to its inside (dark iris against white sclera), measured
 * only on the lateral arcs because eyelids and lashes cover the top and bottom of the limbus.
 * Coarse-to-fine (every 4th centre, then the 5x5 neighbourhood and adjacent radii) to stay fast.
 */
import { fillAxisTaps } from './bilinear';

export { sampleBilinear } from './bilinear';

const LOCATOR_SIZE = 64;
export { LOCATOR_SIZE };
/** Candidate radii on the locator grid (0.16..0.81 of half the side). */
export const LOCATOR_RADII = [5, 6, 7, 8, 10, 12, 14, 16, 19, 22, 26] as const;
/** Centres searched lie in [MARGIN, size - MARGIN] on the locator grid. */
const MARGIN = 12;
/** Coarse pass: every COARSE_STEP-th centre. */
const COARSE_STEP = 4;
/** Samples just outside and just inside the circle, as fractions of the radius. */
const OUTSIDE = 1.2;
const INSIDE = 0.85;
/** Angles on a 32-step circle whose |sin| < 0.75 (within ~49 degrees of horizontal): the lateral arcs. */
const ARC = (() => {
  const angles: number[] = [];
  for (let k = 0; k < 32; k++) {
    const a = (2 * Math.PI * k) / 32;
    if (Math.abs(Math.sin(a)) < 0.75) angles.push(a);
  }
  return { cos: Float64Array.from(angles, Math.cos), sin: Float64Array.from(angles, Math.sin) };
})();
const ARC_LENGTH = ARC.cos.length;

export interface EyeCircle {
  /** Centre and radius on the locator grid. */
  x: number;
  y: number;
  r: number;
  /** Mean L* step across the lateral arcs (outside minus inside). */
  score: number;
}

/**
 * The search only ever samples (integer centre in [MARGIN, SIZE - MARGIN]) + (offset of an arc
 * sample of a candidate radius), so the bilinear taps of every such coordinate are tabulated once
 * at load time, per axis (bilinear.ts). Entry ((c - MARGIN) * PER_CENTRE + (radius * ARC_LENGTH +
 * arc) * 2 + (0 outside, 1 inside)) is for centre c. Like the plane the search copies its input
 * into, they are module-level constants (see colour.ts on why).
 */
const SIZE = LOCATOR_SIZE;
// Held as float64 (exact copies of the float32 values): spares a conversion per read.
const PLANE = new Float64Array(SIZE * SIZE);
const PER_CENTRE = LOCATOR_RADII.length * ARC_LENGTH * 2;
const CENTRES = range(MARGIN, SIZE - MARGIN, 1);
const X_START = new Int32Array(CENTRES.length * PER_CENTRE);
const X_FRAC = new Float64Array(CENTRES.length * PER_CENTRE);
const Y_START = new Int32Array(CENTRES.length * PER_CENTRE);
const Y_FRAC = new Float64Array(CENTRES.length * PER_CENTRE);
fillAxisTaps(SIZE, CENTRES, arcOffsets(ARC.cos), 1, X_START, X_FRAC);
fillAxisTaps(SIZE, CENTRES, arcOffsets(ARC.sin), SIZE, Y_START, Y_FRAC);

/** Offsets of the arc samples along one axis: (OUTSIDE * r) * cos(a) and (INSIDE * r) * cos(a). */
function arcOffsets(trig: Float64Array): Float64Array {
  const out = new Float64Array(PER_CENTRE);
  LOCATOR_RADII.forEach((r, ri) => {
    const outside = OUTSIDE * r;
    const inside = INSIDE * r;
    for (let k = 0; k < ARC_LENGTH; k++) {
      out[(ri * ARC_LENGTH + k) * 2] = outside * trig[k];
      out[(ri * ARC_LENGTH + k) * 2 + 1] = inside * trig[k];
    }
  });
  return out;
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

/** Mean outside-minus-inside step across the lateral arcs of circle (x, y, LOCATOR_RADII[ri]). */
function arcStep(x: number, y: number, ri: number): number {
  const xi = (x - MARGIN) * PER_CENTRE + ri * ARC_LENGTH * 2;
  const yi = (y - MARGIN) * PER_CENTRE + ri * ARC_LENGTH * 2;
  let s = 0;
  for (let k = 0; k < 2 * ARC_LENGTH; k += 2) s += sample(xi + k, yi + k) - sample(xi + k + 1, yi + k + 1);
  return s / ARC_LENGTH;
}

/**
 * Best circle with centre y in [y0, y1], x in [x0, x1] (both by `step`) and radius
 * LOCATOR_RADII[r0..r1], rows first, then columns, then radii; `best` unless beaten (ties keep
 * the first found).
 */
function search(x0: number, x1: number, y0: number, y1: number, step: number, r0: number, r1: number, best: EyeCircle): EyeCircle {
  for (let y = y0; y <= y1; y += step) {
    for (let x = x0; x <= x1; x += step) {
      for (let ri = r0; ri <= r1; ri++) {
        const score = arcStep(x, y, ri);
        if (score > best.score) best = { x, y, r: LOCATOR_RADII[ri], score };
      }
    }
  }
  return best;
}

/** Best limbus circle of a blurred LOCATOR_SIZE x LOCATOR_SIZE lightness plane. Ties keep the first found. */
export function locateEye(lightness: Float32Array, size = LOCATOR_SIZE): EyeCircle {
  if (size !== SIZE || lightness.length !== PLANE.length) throw new RangeError(`locateEye needs a ${SIZE}x${SIZE} plane`);
  PLANE.set(lightness);
  const lo = MARGIN;
  const hi = size - MARGIN;
  const last = LOCATOR_RADII.length - 1;
  const initial: EyeCircle = { x: size / 2, y: size / 2, r: LOCATOR_RADII[5], score: -Infinity };
  const coarse = search(lo, hi, lo, hi, COARSE_STEP, 0, last, initial);
  // Fine pass: the 5x5 neighbourhood of the coarse winner and its adjacent radii.
  const k = LOCATOR_RADII.indexOf(coarse.r as (typeof LOCATOR_RADII)[number]);
  const x0 = Math.max(lo, coarse.x - 2);
  const x1 = Math.min(hi, coarse.x + 2);
  const y0 = Math.max(lo, coarse.y - 2);
  const y1 = Math.min(hi, coarse.y + 2);
  return search(x0, x1, y0, y1, 1, Math.max(0, k - 1), Math.min(last, k + 1), coarse);
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}
