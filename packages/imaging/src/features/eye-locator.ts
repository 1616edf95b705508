/**
 * Locates the eye (iris/limbus circle) instead of assuming it sits in the middle of the photo.
 * Daugman-style integro-differential search on the blurred LOCATOR_SIZE lightness grid: the circle
 * whose outside is brightest relative to its inside (dark iris against white sclera), measured
 * only on the lateral arcs because eyelids and lashes cover the top and bottom of the limbus.
 * Coarse-to-fine (every 4th centre, then the 5x5 neighbourhood and adjacent radii) to stay fast.
 */
export const LOCATOR_SIZE = 64;
/** Candidate radii on the locator grid (0.16..0.81 of half the side). */
export const LOCATOR_RADII = [5, 6, 7, 8, 10, 12, 14, 16, 19, 22, 26] as const;
/** Centres searched lie in [MARGIN, size - MARGIN] on the locator grid. */
const MARGIN = 12;
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

export interface EyeCircle {
  /** Centre and radius on the locator grid. */
  x: number;
  y: number;
  r: number;
  /** Mean L* step across the lateral arcs (outside minus inside). */
  score: number;
}

/** Bilinear sample of a square plane, clamped to the border. */
export function sampleBilinear(p: Float32Array, size: number, x: number, y: number): number {
  const max = size - 1.001;
  const cx = x < 0 ? 0 : x > max ? max : x;
  const cy = y < 0 ? 0 : y > max ? max : y;
  const x0 = cx | 0;
  const y0 = cy | 0;
  const fx = cx - x0;
  const fy = cy - y0;
  const i = y0 * size + x0;
  return (p[i] * (1 - fx) + p[i + 1] * fx) * (1 - fy) + (p[i + size] * (1 - fx) + p[i + size + 1] * fx) * fy;
}

function arcStep(p: Float32Array, size: number, x: number, y: number, r: number): number {
  let s = 0;
  const ro = OUTSIDE * r;
  const ri = INSIDE * r;
  for (let k = 0; k < ARC.cos.length; k++) {
    const c = ARC.cos[k];
    const si = ARC.sin[k];
    s += sampleBilinear(p, size, x + ro * c, y + ro * si) - sampleBilinear(p, size, x + ri * c, y + ri * si);
  }
  return s / ARC.cos.length;
}

/** Best limbus circle of a blurred LOCATOR_SIZE x LOCATOR_SIZE lightness plane. Ties keep the first found. */
export function locateEye(lightness: Float32Array, size = LOCATOR_SIZE): EyeCircle {
  let best: EyeCircle = { x: size / 2, y: size / 2, r: LOCATOR_RADII[5], score: -Infinity };
  const lo = MARGIN;
  const hi = size - MARGIN;
  for (let y = lo; y <= hi; y += 4) {
    for (let x = lo; x <= hi; x += 4) {
      for (const r of LOCATOR_RADII) {
        const score = arcStep(lightness, size, x, y, r);
        if (score > best.score) best = { x, y, r, score };
      }
    }
  }
  const coarse = best;
  const k = LOCATOR_RADII.indexOf(coarse.r as (typeof LOCATOR_RADII)[number]);
  const radii = LOCATOR_RADII.slice(Math.max(0, k - 1), k + 2);
  for (let y = Math.max(lo, coarse.y - 2); y <= Math.min(hi, coarse.y + 2); y++) {
    for (let x = Math.max(lo, coarse.x - 2); x <= Math.min(hi, coarse.x + 2); x++) {
      for (const r of radii) {
        const score = arcStep(lightness, size, x, y, r);
        if (score > best.score) best = { x, y, r, score };
      }
    }
  }
  return best;
}
