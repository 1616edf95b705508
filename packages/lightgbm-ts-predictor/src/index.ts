/**
 * lightgbm-ts-predictor: load LightGBM text models (version v2..v4) and predict like LightGBM,
 * with no dependencies.
 */
export { LightGBMModel, loadModel, loadModelFile } from './model';
export { Predictor } from './predictor';
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
export { parseModelText, SUPPORTED_VERSIONS } from './model-text';
export type { ModelHeader, ParsedLinearLeaves, ParsedModel, ParsedTree } from './model-text';
export type { Forest } from './model-layout';
export { parseFeatureText } from './features-input';
export type { FeatureFormat, FeatureInputOptions } from './features-input';
