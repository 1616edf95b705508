/**
 * The clip model's image backbone: nsfwjs's MobileNetV2 (Keras, tfjs format) converted to ONNX and
 * cut at the pooled 1280-d embedding. Also the input contract it was trained with.
 */
import { convertKerasModel, encodeModel, readKerasModel } from '@cataract/keras-onnx';
import type { TensorSpec } from '@cataract/imaging';
import { loadNsfwjsModel, shardReader, type NsfwjsModelName } from './nsfwjs-model';

export const BACKBONE_MODEL: NsfwjsModelName = 'mobilenet_v2';
/** AveragePooling2D(7x7) over the 7x7x1280 map, flattened: the pooled embedding. */
export const EMBEDDING_LAYER = 'flatten_1';
export const EMBEDDING_SIZE = 1280;
export const INPUT_NAME = 'image';
export const EMBEDDING_OUTPUT = 'embedding';

/**
 * nsfwjs feeds this model `img / 255` resized to 224x224 (tf.image.resizeBilinear to a square, no
 * crop, no mean/std), i.e. NHWC float in [0, 1]. mean 0 / std 1 makes imageToTensor produce exactly
 * v/255; 'fill' is the same aspect-ignoring resize.
 */
export const BACKBONE_INPUT: TensorSpec & { name: string } = {
  name: INPUT_NAME,
  layout: 'NHWC',
  width: 224,
  height: 224,
  channels: 3,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  resize: 'fill',
};

/** Another square input size for the same preprocessing (a fully convolutional backbone cut). */
export function backboneInput(size: number): TensorSpec & { name: string } {
  return { ...BACKBONE_INPUT, width: size, height: size };
}

/**
 * nsfwjs backbones the clip tools can pool, each with its recipe (input size and pooled layers)
 * chosen by grouped cross-validation (docs/experiments/clip-inception-v3.md). InceptionV3 gets the
 * same `x / 255` stretched-square input from nsfwjs as MobileNetV2; it was saved at 299 px but its
 * convolutions run at any size >= 75 px, and at 160 px, cut after `mixed7` (its last three blocks,
 * trained for the NSFW classes, dropped), it scored better and fits the clip actor's latency budget.
 */
export const BACKBONES = {
  mobilenet_v2: { model: 'mobilenet_v2', size: 224, layers: ['flatten_1', 'block_12_add', 'block_15_add', 'block_6_expand_relu'] },
  inception_v3: { model: 'inception_v3', size: 160, layers: ['mixed7', 'mixed5', 'mixed2'] },
} as const satisfies Record<string, { model: NsfwjsModelName; size: number; layers: readonly string[] }>;
export type BackboneName = keyof typeof BACKBONES;
export function isBackboneName(s: string): s is BackboneName {
  return Object.prototype.hasOwnProperty.call(BACKBONES, s);
}

export interface BuiltBackbone {
  bytes: Uint8Array;
  source: { package: string; version: string; license: string; model: string; layer: string };
}

export function buildBackbone(): BuiltBackbone {
  const files = loadNsfwjsModel(BACKBONE_MODEL);
  const keras = readKerasModel(files.modelJson, shardReader(files));
  const { model } = convertKerasModel(keras, {
    outputLayers: [EMBEDDING_LAYER],
    outputNames: [EMBEDDING_OUTPUT],
    inputNames: [INPUT_NAME],
    layout: BACKBONE_INPUT.layout,
    docString: `nsfwjs ${files.packageVersion} ${BACKBONE_MODEL} up to ${EMBEDDING_LAYER} (1280-d pooled embedding); input NHWC RGB in [0,1]`,
    metadata: { source: `nsfwjs@${files.packageVersion}/dist/models/${BACKBONE_MODEL}`, license: files.license },
  });
  return {
    bytes: encodeModel(model),
    source: { package: 'nsfwjs', version: files.packageVersion, license: files.license, model: BACKBONE_MODEL, layer: EMBEDDING_LAYER },
  };
}
