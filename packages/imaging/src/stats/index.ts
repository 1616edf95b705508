export { INPUT_STATISTICS, inputStatsOfPixels, inputStatsOfRgb } from './input-stats';
export type { InputStatistic, InputStats, PixelReader, SourceSize } from './input-stats';
export { LGBM_STATS_VIEW, inputStatsOfImage, inputStatsOfTensor, sourceSizeOf, statsViewOfTensorSpec } from './stats-view';
export type { StatsView } from './stats-view';
export {
  PSI_EPSILON,
  REFERENCE_QUANTILES,
  REFERENCE_STATS_FILE,
  REFERENCE_STATS_FORMAT,
  REFERENCE_STATS_FORMAT_VERSION,
  binIndex,
  binProportions,
  buildReferenceStats,
  buildStatisticReference,
  populationStabilityIndex,
  psiByStatistic,
} from './reference-stats';
export type { ReferenceStats, StatisticReference } from './reference-stats';
