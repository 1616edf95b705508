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
if (ARC_LENGTH % 2 !== 0) throw new Error('arcStepBound takes the arcs in pairs');

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
 * Pruning bounds. A bilinear sample (weights in [0, 1]) is a convex combination of its cell's four
 * corners, so it lies between their minimum and maximum: CELL_MAX[i] and CELL_MIN[i] for the cell
 * with top-left corner i (the `i` of sample()).
 */
const CELL_MAX = new Float64Array(SIZE * SIZE);
const CELL_MIN = new Float64Array(SIZE * SIZE);

/**
 * The bounds hold in exact arithmetic. The computed bounds and bound sums (a few dozen roundings)
 * and the computed samples and scores they bound (likewise) each lie within far less than
 * 1e-12 x (1 + largest |value| of the plane) of their exact values. A candidate is skipped only
 * when its bound falls short by more than `slack` = SLACK x (1 + largest |value|), a thousand
 * times that.
 */
const SLACK = 1e-9;
let slack = 0;

/**
 * Fills CELL_MAX and CELL_MIN from PLANE; returns the slack. Free of branches: max(a, b) =
 * (a + b + |a - b|) / 2 and min(a, b) = (a + b - |a - b|) / 2, within a few roundings of the true
 * maximum and minimum (see SLACK); neighbours on a noisy grid compare at random, and mispredicted
 * branches made the bounds cost more than they saved.
 */
function fillCellBounds(): number {
  let largest = 0;
  // Pairs along x, then pairs of those along y in place (row y + 1 still holds its pair bounds
  // when row y reads them). Cells in the last row and column are never sampled.
  for (let i = 0; i < SIZE * SIZE - 1; i++) {
    const a = PLANE[i];
    const b = PLANE[i + 1];
    const gap = Math.abs(a - b);
    CELL_MAX[i] = (a + b + gap) / 2;
    CELL_MIN[i] = (a + b - gap) / 2;
    largest = Math.max(largest, Math.abs(a));
  }
  for (let i = 0; i < SIZE * (SIZE - 1) - 1; i++) {
    const a = CELL_MAX[i];
    const b = CELL_MAX[i + SIZE];
    const c = CELL_MIN[i];
    const d = CELL_MIN[i + SIZE];
    CELL_MAX[i] = (a + b + Math.abs(a - b)) / 2;
    CELL_MIN[i] = (c + d - Math.abs(c - d)) / 2;
  }
  return SLACK * (1 + Math.max(largest, Math.abs(PLANE[SIZE * SIZE - 1])));
}

/**
 * Upper bound of arcStep(x, y, ri): each outside sample at most its cell's maximum, each inside one
 * at least its cell's minimum (CELL_MAX, CELL_MIN). Summed in four independent chains (any order
 * will do for a bound).
 */
function arcStepBound(x: number, y: number, ri: number): number {
  const xi = (x - MARGIN) * PER_CENTRE + ri * ARC_LENGTH * 2;
  const yi = (y - MARGIN) * PER_CENTRE + ri * ARC_LENGTH * 2;
  let outside0 = 0, inside0 = 0, outside1 = 0, inside1 = 0;
  for (let k = 0; k < 2 * ARC_LENGTH; k += 4) {
    outside0 += CELL_MAX[Y_START[yi + k] + X_START[xi + k]];
    inside0 += CELL_MIN[Y_START[yi + k + 1] + X_START[xi + k + 1]];
    outside1 += CELL_MAX[Y_START[yi + k + 2] + X_START[xi + k + 2]];
    inside1 += CELL_MIN[Y_START[yi + k + 3] + X_START[xi + k + 3]];
  }
  return (outside0 + outside1 - (inside0 + inside1)) / ARC_LENGTH;
}

/**
 * The cell (Y_START + X_START, the `i` of sample()) of every sample around every centre of the
 * coarse pass, tabulated at load time: entry (row * COARSE.length + column) * PER_CENTRE + sample.
 * The coarse pass bounds 1331 candidates, and this spares each bounded sample two table loads.
 */
const COARSE = range(MARGIN, SIZE - MARGIN, COARSE_STEP);
const COARSE_CELLS = new Uint16Array(COARSE.length * COARSE.length * PER_CENTRE);
COARSE.forEach((y, row) =>
  COARSE.forEach((x, column) => {
    const at = (row * COARSE.length + column) * PER_CENTRE;
    for (let e = 0; e < PER_CENTRE; e++) COARSE_CELLS[at + e] = Y_START[(y - MARGIN) * PER_CENTRE + e] + X_START[(x - MARGIN) * PER_CENTRE + e];
  }),
);

/** arcStepBound(x, y, ri) for a centre of the coarse pass, from COARSE_CELLS. */
function coarseArcStepBound(x: number, y: number, ri: number): number {
  const at = (((y - MARGIN) / COARSE_STEP) * COARSE.length + (x - MARGIN) / COARSE_STEP) * PER_CENTRE + ri * ARC_LENGTH * 2;
  let outside0 = 0, inside0 = 0, outside1 = 0, inside1 = 0;
  for (let k = at; k < at + 2 * ARC_LENGTH; k += 4) {
    outside0 += CELL_MAX[COARSE_CELLS[k]];
    inside0 += CELL_MIN[COARSE_CELLS[k + 1]];
    outside1 += CELL_MAX[COARSE_CELLS[k + 2]];
    inside1 += CELL_MIN[COARSE_CELLS[k + 3]];
  }
  return (outside0 + outside1 - (inside0 + inside1)) / ARC_LENGTH;
}

/** Upper bounds of the candidates of one search, in search order. */
const BOUNDS = new Float64Array(CENTRES.length * CENTRES.length * LOCATOR_RADII.length);

/**
 * Best circle with centre y in [y0, y1], x in [x0, x1] (both by `step`) and radius
 * LOCATOR_RADII[r0..r1], rows first, then columns, then radii; `best` unless beaten (ties keep
 * the first found).
 *
 * Most candidates are nowhere near the best, and bounding a score (arcStepBound: a table lookup per
 * sample) is much cheaper than computing it. So all candidates are bounded first, the one with the
 * highest bound is scored, and then the candidates are visited in the order above, skipping those
 * whose bound (plus the rounding slack) is below that score or below best.score. That returns the
 * same circle as scoring them all: the winner is the first candidate with the highest score, above
 * best.score, and its bound is at least its score, so it is never skipped; a skipped candidate
 * scores below the winner, so leaving it out changes nothing.
 */
function search(x0: number, x1: number, y0: number, y1: number, step: number, r0: number, r1: number, best: EyeCircle): EyeCircle {
  const coarse = step === COARSE_STEP && (x0 - MARGIN) % COARSE_STEP === 0 && (y0 - MARGIN) % COARSE_STEP === 0;
  let c = 0;
  let top = 0;
  for (let y = y0; y <= y1; y += step) {
    for (let x = x0; x <= x1; x += step) {
      for (let ri = r0; ri <= r1; ri++, c++) {
        BOUNDS[c] = coarse ? coarseArcStepBound(x, y, ri) : arcStepBound(x, y, ri);
        if (BOUNDS[c] > BOUNDS[top]) top = c;
      }
    }
  }
  // The candidate with the highest bound, decoded from its position in the search order.
  const radii = r1 - r0 + 1;
  const columns = Math.floor((x1 - x0) / step) + 1;
  const topScore = arcStep(x0 + step * (Math.floor(top / radii) % columns), y0 + step * Math.floor(top / radii / columns), r0 + (top % radii));
  const threshold = Math.max(topScore, best.score) - slack;
  c = 0;
  for (let y = y0; y <= y1; y += step) {
    for (let x = x0; x <= x1; x += step) {
      for (let ri = r0; ri <= r1; ri++, c++) {
        if (BOUNDS[c] < threshold) continue;
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
  slack = fillCellBounds();
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
