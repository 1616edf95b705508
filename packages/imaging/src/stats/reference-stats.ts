import { INPUT_STATISTICS, InputStatistic, InputStats } from './input-stats';
import type { StatsView } from './stats-view';

/** File name of the reference distribution inside a model version's folder. */
export const REFERENCE_STATS_FILE = 'reference-stats.json';
export const REFERENCE_STATS_FORMAT = 'cataract-reference-stats';
export const REFERENCE_STATS_FORMAT_VERSION = 1;

/** Quantiles of the training values that become bin edges (deciles: ten bins, fewer where values tie). */
export const REFERENCE_QUANTILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] as const;

/**
 * Proportion standing in for an empty bin on either side: PSI takes ln(live / reference), which
 * is infinite for an empty bin. 1e-4 keeps one photo in a bin the training photos never reached
 * from dominating a window of a few hundred, while such a bin still adds clearly to the index.
 */
export const PSI_EPSILON = 1e-4;

/**
 * One statistic's reference: bin i holds the values v with edges[i - 1] < v <= edges[i] (the
 * first bin everything up to edges[0], the last everything above the last edge), and
 * proportions[i] is the share of the training photos in it (edges.length + 1 entries).
 */
export interface StatisticReference {
  edges: number[];
  proportions: number[];
  count: number;
  min: number;
  max: number;
  mean: number;
}

/** The content of reference-stats.json. */
export interface ReferenceStats {
  format: typeof REFERENCE_STATS_FORMAT;
  format_version: typeof REFERENCE_STATS_FORMAT_VERSION;
  /** The pixels the statistics were measured on (long_side excepted: the original's header). */
  view: StatsView;
  samples: number;
  statistics: Record<InputStatistic, StatisticReference>;
  /** Free-form provenance (data folder, tool), for readers. */
  source?: Record<string, unknown>;
}

/** The reference distribution of `samples` (the training photos' statistics, measured on `view`). */
export function buildReferenceStats(samples: readonly InputStats[], view: StatsView, source?: Record<string, unknown>): ReferenceStats {
  if (samples.length === 0) throw new RangeError('a reference distribution needs at least one sample');
  const statistics = {} as Record<InputStatistic, StatisticReference>;
  for (const name of INPUT_STATISTICS) {
    const values = samples.map((s) => s[name]);
    if (!values.every(Number.isFinite)) throw new RangeError(`statistic ${name} has a value that is not a finite number`);
    statistics[name] = buildStatisticReference(values);
  }
  return {
    format: REFERENCE_STATS_FORMAT,
    format_version: REFERENCE_STATS_FORMAT_VERSION,
    view: { ...view },
    samples: samples.length,
    statistics,
    ...(source ? { source } : {}),
  };
}

/** Bin edges at the REFERENCE_QUANTILES of `values` (ties merged) and the share of `values` per bin. */
export function buildStatisticReference(values: readonly number[]): StatisticReference {
  const sorted = Float64Array.from(values).sort();
  const edges: number[] = [];
  for (const q of REFERENCE_QUANTILES) {
    const e = quantile(sorted, q);
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  const proportions = binProportions(edges, values);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { edges, proportions, count: values.length, min: sorted[0], max: sorted[sorted.length - 1], mean };
}

/** Linear interpolation between order statistics (numpy's default, R type 7). */
function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Index of the bin of `value`: the number of edges strictly below it. */
export function binIndex(edges: readonly number[], value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Share of `values` in each of the edges.length + 1 bins (all zero for no values). */
export function binProportions(edges: readonly number[], values: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) counts[binIndex(edges, v)]++;
  return counts.map((c) => (values.length === 0 ? 0 : c / values.length));
}

/**
 * Population stability index of `live` against one statistic's reference:
 * sum over bins of (live - ref) * ln(live / ref), each share floored at `epsilon`. Conventional
 * reading: below 0.1 stable, 0.1-0.25 a moderate shift, above 0.25 a large one. NaN for no live
 * values (nothing to compare).
 */
export function populationStabilityIndex(reference: Pick<StatisticReference, 'edges' | 'proportions'>, live: readonly number[], epsilon = PSI_EPSILON): number {
  if (reference.proportions.length !== reference.edges.length + 1) {
    throw new RangeError(`a reference with ${reference.edges.length} edges needs ${reference.edges.length + 1} proportions`);
  }
  if (live.length === 0) return NaN;
  const shares = binProportions(reference.edges, live);
  let psi = 0;
  for (let i = 0; i < shares.length; i++) {
    const a = Math.max(shares[i], epsilon);
    const e = Math.max(reference.proportions[i], epsilon);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/** PSI of every statistic of `live` (samples as measured by inputStats*) against `reference`. */
export function psiByStatistic(reference: ReferenceStats, live: readonly InputStats[], epsilon = PSI_EPSILON): Record<InputStatistic, number> {
  const out = {} as Record<InputStatistic, number>;
  for (const name of INPUT_STATISTICS) {
    out[name] = populationStabilityIndex(reference.statistics[name], live.map((s) => s[name]), epsilon);
  }
  return out;
}
