/**
 * Second stage of the eye search: the pupil inside the located iris. The disk (centre within 0.3
 * iris radii of the iris centre, radius 0.2..0.65 iris radii) that differs most from the ring just
 * outside it, in either direction: a healthy pupil is darker than the iris, a cataract lens is often
 * lighter. Sampled on the same blurred locator grid as the iris circle.
 */
import { EyeCircle, sampleBilinear } from './eye-locator';

export const PUPIL_RADIUS_FRACTIONS = [0.2, 0.28, 0.36, 0.45, 0.55, 0.65] as const;
const CENTRE_SPAN = 0.3;
const ANGLES = 16;
const COS = Float64Array.from({ length: ANGLES }, (_, k) => Math.cos((2 * Math.PI * k) / ANGLES));
const SIN = Float64Array.from({ length: ANGLES }, (_, k) => Math.sin((2 * Math.PI * k) / ANGLES));

export interface PupilCircle {
  /** Centre and radius on the locator grid. */
  x: number;
  y: number;
  r: number;
  /** Mean L* inside minus mean L* of the ring outside (positive: lighter than the iris). */
  contrast: number;
}

function circleMean(p: Float32Array, size: number, x: number, y: number, r: number): number {
  let s = 0;
  for (let k = 0; k < ANGLES; k++) s += sampleBilinear(p, size, x + r * COS[k], y + r * SIN[k]);
  return s / ANGLES;
}

/** Pupil of the iris `eye` on the blurred lightness plane (the one locateEye searched). Ties keep the first found. */
export function locatePupil(lightness: Float32Array, size: number, eye: EyeCircle): PupilCircle {
  const span = Math.max(1, Math.round(CENTRE_SPAN * eye.r));
  let best: PupilCircle = { x: eye.x, y: eye.y, r: 0.4 * eye.r, contrast: 0 };
  let bestAbs = -1;
  for (let dy = -span; dy <= span; dy++) {
    for (let dx = -span; dx <= span; dx++) {
      const x = eye.x + dx;
      const y = eye.y + dy;
      for (const f of PUPIL_RADIUS_FRACTIONS) {
        const r = Math.max(1.5, f * eye.r);
        const inside = (sampleBilinear(lightness, size, x, y) + circleMean(lightness, size, x, y, 0.4 * r) + circleMean(lightness, size, x, y, 0.75 * r)) / 3;
        const outside = (circleMean(lightness, size, x, y, 1.2 * r) + circleMean(lightness, size, x, y, 1.45 * r)) / 2;
        const contrast = inside - outside;
        if (Math.abs(contrast) > bestAbs) {
          bestAbs = Math.abs(contrast);
          best = { x, y, r, contrast };
        }
      }
    }
  }
  return best;
}
