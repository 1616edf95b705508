/** @cataract/gbdt-trainer: histogram GBDT (leaf-wise) writing LightGBM v4 text models. */
export { train, Booster, type TrainOptions, type ProgressEvent, type TrainingHistory } from './booster';
export { DEFAULT_PARAMS, resolveParams, type TrainParams, type ObjectiveName } from './params';
export { type DataSet } from './dataset';
export { InvalidParameterError, InvalidDataError } from './errors';
export { createRng, randInt, sampleIndices, type Rng } from './rng';
export { modelToString, treeToString, splitImportance, type ModelDescription } from './model-writer';
export { formatG, format17, format6 } from './format';
export { BinMapper, MissingType } from './binning';
export { Tree } from './tree';
