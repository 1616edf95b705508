import { FeatureSetMismatchError } from '../errors';
import { COLOUR_STAT_NAMES } from './colour-stats';
import { IRIS_PERCENTILES, PUPIL_PERCENTILES, RADIAL_RINGS } from './eye-stats';
import { LENS_PERCENTILES } from './lens-stats';
import { LBP_BIN_NAMES } from './lbp';
import { REGIONS } from './regions';

/** Lightness percentiles of the centre disk; p05 answers "is the pupil black?". */
export const CENTRE_PERCENTILES = [0.05, 0.1, 0.25, 0.5, 0.95] as const;
/** Lightness percentiles of the iris ring. */
export const RING_PERCENTILES = [0.05, 0.5] as const;
/** Lightness median of the outer area (sclera / skin reference). */
export const OUTER_PERCENTILES = [0.5] as const;
/** Regions whose LBP histograms are features. */
export const LBP_REGIONS = ['centre', 'ring'] as const;

const pct = (q: number) => `p${String(Math.round(q * 100)).padStart(2, '0')}`;

export const CONTRAST_NAMES = [
  'contrast_centre_l_p05_minus_ring_l_p50',
  'contrast_centre_l_mean_minus_ring_l_mean',
  'contrast_centre_l_mean_minus_outer_l_mean',
] as const;

function buildNames(): string[] {
  const names: string[] = [];
  for (const region of REGIONS) {
    for (const stat of COLOUR_STAT_NAMES) names.push(`${region}_${stat}`);
    names.push(`${region}_grad_mean`, `${region}_grad_std`);
  }
  for (const q of CENTRE_PERCENTILES) names.push(`centre_l_${pct(q)}`);
  for (const q of RING_PERCENTILES) names.push(`ring_l_${pct(q)}`);
  for (const q of OUTER_PERCENTILES) names.push(`outer_l_${pct(q)}`);
  names.push(...CONTRAST_NAMES);
  for (const region of LBP_REGIONS) for (const bin of LBP_BIN_NAMES) names.push(`${region}_lbp_${bin}`);
  names.push(...eyeNames());
  return names;
}

/**
 * v2: features relative to the located eye (eye-locator.ts, eye-stats.ts). Geometry of the circle
 * as fractions of the locator grid, then the radial profile, then pupil and iris statistics,
 * then the lens: the located pupil proper (pupil-locator.ts, lens-stats.ts).
 */
export const EYE_GEOMETRY_NAMES = ['eye_limbus_step', 'eye_radius', 'eye_offset_x', 'eye_offset_y'] as const;
export const EYE_CONTRAST_NAMES = [
  'eye_contrast_pupil_l_p50_minus_iris_l_p50',
  'eye_contrast_pupil_l_p05_minus_iris_l_p25',
] as const;

function eyeNames(): string[] {
  const names: string[] = [...EYE_GEOMETRY_NAMES];
  for (const stat of ['l_mean', 'white_frac', 'sat_mean']) {
    for (let k = 0; k < RADIAL_RINGS; k++) names.push(`eye_ring${k}_${stat}`);
  }
  for (const q of PUPIL_PERCENTILES) names.push(`eye_pupil_l_${pct(q)}`);
  for (const q of IRIS_PERCENTILES) names.push(`eye_iris_l_${pct(q)}`);
  names.push(
    'eye_pupil_white_frac',
    'eye_pupil_lab_b_mean',
    'eye_pupil_sat_mean',
    'eye_pupil_dark_frac',
    'eye_iris_sat_mean',
    'eye_iris_chroma_mean',
    ...EYE_CONTRAST_NAMES,
  );
  names.push('lens_radius_ratio', 'lens_contrast', 'lens_abs_contrast');
  for (const q of LENS_PERCENTILES) names.push(`lens_l_${pct(q)}`);
  names.push('lens_white_frac', 'lens_lab_b_mean', 'lens_sat_mean', 'lens_dark_frac');
  return names;
}

export interface FeatureSetId {
  name: string;
  version: string;
}

export interface FeatureSet extends FeatureSetId {
  names: readonly string[];
}

/**
 * The lgbm feature set computed by extractLgbmFeatures. Models record {name, version}; bump the
 * version whenever the vector (order, meaning or computation) changes.
 */
export const LGBM_FEATURE_SET: FeatureSet = Object.freeze({
  name: 'eye-regions',
  version: '2',
  names: Object.freeze(buildNames()),
});

export function percentileName(q: number): string {
  return pct(q);
}

/** Throw FeatureSetMismatchError unless `fs` is the feature set this build computes. */
export function assertFeatureSet(fs: FeatureSetId): void {
  if (fs.name !== LGBM_FEATURE_SET.name || fs.version !== LGBM_FEATURE_SET.version) {
    throw new FeatureSetMismatchError(LGBM_FEATURE_SET, fs);
  }
}
