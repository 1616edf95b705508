export { ACCEPTED_FORMATS, DEFAULT_MAX_PIXELS, sniffFormat } from './formats';
export type { AcceptedFormat } from './formats';
export { ImageRejectedError, FeatureSetMismatchError } from './errors';
export type { ImageRejectionCode } from './errors';
export { probeImage } from './probe';
export { checkImageHeader } from './header';
export { decodeCostUnits, COST_UNIT_PIXELS } from './decode-cost';
export type { ImageProbe, DecodeLimits } from './probe';
export { decodeImage } from './decode';
export type { DecodedImage } from './decode';
export { imageToTensor, tensorSize, TENSOR_RESIZE_KERNEL } from './tensor';
export type { TensorSpec } from './tensor';
export { downscaleReencode } from './reencode';
export { LGBM_FEATURE_SET, assertFeatureSet } from './features/feature-set';
export type { FeatureSet, FeatureSetId } from './features/feature-set';
export {
  decodeWorkingImage,
  extractLgbmFeatures,
  eyeGeometryOfWorkingImage,
  featuresFromWorkingImage,
  locateEyeInImage,
  FEATURE_RESIZE_KERNEL,
} from './features/extract';
export type { EyeGeometry, WorkingCircle } from './features/extract';
export { WORKING_SIZE, TEXTURE_SIZE, REGIONS, REGION_RADII } from './features/regions';
export { disableDecodeCache } from './process-settings';
export { renderSampleEyePhotos } from './sample-eyes';
export * from './stats';
