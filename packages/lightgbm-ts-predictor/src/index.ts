/**
 * lightgbm-ts-predictor: load LightGBM text models (version v2..v4) and predict like LightGBM,
 * with no dependencies.
 */
export { LightGBMModel, loadModel, loadModelFile } from './model';
export { Predictor } from './predictor';
export { averagedOutputIsTransformed } from './average-output';
export type { FeatureRows, PredictOptions } from './predictor';
export type { Objective, TransformKind } from './objective';
export {
  CliUsageError,
  FeatureInputError,
  FileReadError,
  LightGBMPredictorError,
  ModelFormatError,
  PredictArgumentError,
  UnsupportedModelError,
} from './errors';
export { parseModelText } from './model-text';
export type { ParsedModel } from './model-text';
export { SUPPORTED_VERSIONS } from './model-header';
export type { ModelHeader } from './model-header';
export type { ParsedLinearLeaves, ParsedTree } from './tree-text';
export type { Forest } from './model-layout';
export { parseFeatureText } from './features-input';
export type { FeatureFormat, FeatureInputOptions } from './features-input';
