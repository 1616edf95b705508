import { FeatureSetMismatchError } from '../errors';
import { COLOUR_STAT_NAMES } from './colour-stats';
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
  version: '1',
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
