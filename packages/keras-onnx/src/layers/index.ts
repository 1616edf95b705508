/** Keras layer class name -> converter. */
import type { LayerConverter } from '../layer-context';
import { convertActivation, convertReLU } from './activation';
import { convertConv2D, convertDepthwiseConv2D } from './convolution';
import { convertDense } from './dense';
import { convertAdd, convertConcatenate } from './merge';
import { convertBatchNormalization } from './normalization';
import { convertAveragePooling2D, convertGlobalAveragePooling2D, convertGlobalMaxPooling2D, convertMaxPooling2D } from './pooling';
import { convertFlatten, convertIdentity, convertZeroPadding2D } from './reshaping';

export const LAYER_CONVERTERS: Readonly<Record<string, LayerConverter>> = {
  Conv2D: convertConv2D,
  DepthwiseConv2D: convertDepthwiseConv2D,
  BatchNormalization: convertBatchNormalization,
  ReLU: convertReLU,
  Activation: convertActivation,
  Add: convertAdd,
  Concatenate: convertConcatenate,
  ZeroPadding2D: convertZeroPadding2D,
  AveragePooling2D: convertAveragePooling2D,
  MaxPooling2D: convertMaxPooling2D,
  GlobalAveragePooling2D: convertGlobalAveragePooling2D,
  GlobalMaxPooling2D: convertGlobalMaxPooling2D,
  Flatten: convertFlatten,
  Dense: convertDense,
  Dropout: convertIdentity,
};
