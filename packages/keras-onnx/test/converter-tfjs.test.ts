/**
 * @jest-environment ./packages/keras-onnx/test/support/onnx-environment.js
 */
/**
 * End-to-end equivalence on small synthetic Keras models built in TensorFlow.js with seeded random
 * weights: every supported layer, including cases MobileNetV2 does not exercise (asymmetric "same"
 * padding at stride 2, depth multiplier 2, a Flatten over a spatial map, Pad before pooling).
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { convertKerasModel, encodeModel, readKerasModel, UnsupportedLayerError, type TfjsModelJson } from '../src';

const init = (seed: number, minval = -0.5, maxval = 0.5) => tf.initializers.randomUniform({ minval, maxval, seed });

/** Saves a tfjs LayersModel to the model.json + single shard form the converter reads. */
async function artifactsOf(model: tf.LayersModel): Promise<{ json: TfjsModelJson; shard: Uint8Array }> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const data = saved!.weightData as ArrayBuffer;
  return {
    json: { modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['shard'], weights: saved!.weightSpecs! }] },
    shard: new Uint8Array(data),
  };
}

function seededInput(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 32;
  }
  return x;
}

async function runOnnx(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    return (await session.run(feeds)) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function buildConvNet(): tf.LayersModel {
  const input = tf.input({ shape: [10, 12, 3], name: 'img' });
  const padded = tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: 'pad' }).apply(input) as tf.SymbolicTensor;
  const c1 = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, kernelInitializer: init(1), name: 'c1' }).apply(padded) as tf.SymbolicTensor;
  const bn = tf.layers
    .batchNormalization({
      epsilon: 1e-3,
      gammaInitializer: init(2, 0.5, 1.5),
      betaInitializer: init(3),
      movingMeanInitializer: init(4),
      movingVarianceInitializer: init(5, 0.2, 2),
      name: 'bn',
    })
    .apply(c1) as tf.SymbolicTensor;
  const r6 = tf.layers.reLU({ maxValue: 6, name: 'r6' }).apply(bn) as tf.SymbolicTensor;
  // "same" at stride 2 on an even 6x6 map: TF pads 0 before / 1 after.
  const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2, depthwiseInitializer: init(6), biasInitializer: init(7), useBias: true, name: 'dw' }).apply(r6) as tf.SymbolicTensor;
  const a = tf.layers.conv2d({ filters: 16, kernelSize: 1, padding: 'same', activation: 'relu', kernelInitializer: init(8), biasInitializer: init(9), name: 'pw' }).apply(dw) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'add' }).apply([a, dw]) as tf.SymbolicTensor;
  const pad2 = tf.layers.zeroPadding2d({ padding: 1, name: 'pad2' }).apply(sum) as tf.SymbolicTensor;
  const avg = tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same', name: 'avg' }).apply(pad2) as tf.SymbolicTensor;
  const mx = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: 'max' }).apply(avg) as tf.SymbolicTensor;
  const flat = tf.layers.flatten({ name: 'flat' }).apply(mx) as tf.SymbolicTensor;
  const drop = tf.layers.dropout({ rate: 0.5, name: 'drop' }).apply(flat) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: init(10), biasInitializer: init(11), name: 'dense' }).apply(drop) as tf.SymbolicTensor;
  const gap = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(sum) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: [dense, gap], name: 'convnet' });
}

describe('convertKerasModel vs TensorFlow.js (synthetic model)', () => {
  let model: tf.LayersModel;
  let art: { json: TfjsModelJson; shard: Uint8Array };
  const n = 3;
  const x = seededInput(n * 10 * 12 * 3, 42);

  beforeAll(async () => {
    await tf.setBackend('cpu');
    model = buildConvNet();
    art = await artifactsOf(model);
  });
  afterAll(() => model.dispose());

  it('matches both outputs with an NHWC input and a dynamic batch', async () => {
    const keras = readKerasModel(art.json, () => art.shard);
    const { model: onnxModel, inputs, outputs } = convertKerasModel(keras, { outputNames: ['probs', 'pooled'] });
    expect(inputs).toEqual([{ name: 'img', dims: ['N', 10, 12, 3] }]);
    expect(outputs).toEqual([{ name: 'probs', dims: ['N', 4] }, { name: 'pooled', dims: ['N', 16] }]);
    const [refProbs, refPooled] = (model.predict(tf.tensor4d(x, [n, 10, 12, 3])) as tf.Tensor[]).map((t) => t.dataSync());
    const got = await runOnnx(encodeModel(onnxModel), { img: new ort.Tensor('float32', x, [n, 10, 12, 3]) });
    expect(got.probs.dims).toEqual([n, 4]);
    expect(maxAbsDiff(got.probs.data as Float32Array, refProbs)).toBeLessThan(1e-5);
    expect(maxAbsDiff(got.pooled.data as Float32Array, refPooled)).toBeLessThan(1e-5);
  });

  it('matches a cut at an intermediate layer, with an NCHW input layout', async () => {
    const keras = readKerasModel(art.json, () => art.shard);
    const { model: onnxModel, outputs } = convertKerasModel(keras, { outputLayers: ['dw'], layout: 'NCHW' });
    expect(outputs[0].dims).toEqual(['N', 16, 3, 3]);
    const ref = tf.model({ inputs: model.inputs, outputs: model.getLayer('dw').output as tf.SymbolicTensor });
    const refNchw = tf.transpose(ref.predict(tf.tensor4d(x, [n, 10, 12, 3])) as tf.Tensor, [0, 3, 1, 2]).dataSync();
    const xNchw = tf.transpose(tf.tensor4d(x, [n, 10, 12, 3]), [0, 3, 1, 2]).dataSync() as Float32Array;
    const got = await runOnnx(encodeModel(onnxModel), { img: new ort.Tensor('float32', xNchw, [n, 3, 10, 12]) });
    expect(maxAbsDiff(got[outputs[0].name].data as Float32Array, refNchw)).toBeLessThan(1e-5);
  });

  it('folds ZeroPadding2D into the following convolution instead of emitting a Pad node', () => {
    const keras = readKerasModel(art.json, () => art.shard);
    const { model: onnxModel } = convertKerasModel(keras);
    const nodes = onnxModel.graph!.node!;
    const c1 = nodes.find((nd) => nd.output![0] === 'c1')!;
    expect(c1.attribute!.find((a) => a.name === 'pads')!.ints).toEqual([0, 0, 1, 1]);
    // pad2 precedes a pooling layer, where zero padding is not equivalent to pooling pads: one Pad node.
    expect(nodes.filter((nd) => nd.opType === 'Pad')).toHaveLength(1);
  });
});

/**
 * An InceptionV3-style block: BatchNormalization without scale (gamma), parallel 1x1 / 3x3 / pooled
 * branches joined by Concatenate on the channel axis (as `axis: 3`, what Keras InceptionV3 saves),
 * a stride-2 reduction, concatenation along H and of rank-2 vectors. `size` changes only the input.
 */
function buildInceptionBlock(size: [number, number]): tf.LayersModel {
  const input = tf.input({ shape: [...size, 3], name: 'img' });
  const convBn = (x: tf.SymbolicTensor, filters: number, k: number, strides: number, padding: 'same' | 'valid', name: string, seed: number) => {
    const c = tf.layers.conv2d({ filters, kernelSize: k, strides, padding, useBias: false, kernelInitializer: init(seed), name: `${name}_conv` }).apply(x) as tf.SymbolicTensor;
    const bn = tf.layers
      .batchNormalization({ axis: 3, epsilon: 1e-3, scale: false, betaInitializer: init(seed + 1), movingMeanInitializer: init(seed + 2), movingVarianceInitializer: init(seed + 3, 0.2, 2), name: `${name}_bn` })
      .apply(c) as tf.SymbolicTensor;
    return tf.layers.activation({ activation: 'relu', name }).apply(bn) as tf.SymbolicTensor;
  };
  const stem = convBn(input, 6, 3, 1, 'valid', 'stem', 20);
  const b1 = convBn(stem, 4, 1, 1, 'same', 'b1', 30);
  const b3 = convBn(convBn(stem, 3, 1, 1, 'same', 'b3a', 40), 5, 3, 1, 'same', 'b3', 50);
  const pooled = tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same', name: 'bp_pool' }).apply(stem) as tf.SymbolicTensor;
  const bp = convBn(pooled, 2, 1, 1, 'same', 'bp', 60);
  const mixed0 = tf.layers.concatenate({ axis: 3, name: 'mixed0' }).apply([b1, b3, bp]) as tf.SymbolicTensor;
  // Reduction block: stride-2 valid conv and max pool side by side, joined with axis -1.
  const r3 = convBn(mixed0, 4, 3, 2, 'valid', 'r3', 70);
  const rp = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: 'rp' }).apply(mixed0) as tf.SymbolicTensor;
  const mixed1 = tf.layers.concatenate({ axis: -1, name: 'mixed1' }).apply([r3, rp]) as tf.SymbolicTensor;
  const tall = tf.layers.concatenate({ axis: 1, name: 'tall' }).apply([mixed1, mixed1]) as tf.SymbolicTensor;
  const gapA = tf.layers.globalAveragePooling2d({ name: 'gap_a' }).apply(mixed1) as tf.SymbolicTensor;
  const gapB = tf.layers.globalMaxPooling2d({ name: 'gap_b' }).apply(tall) as tf.SymbolicTensor;
  const vec = tf.layers.concatenate({ name: 'vec' }).apply([gapA, gapB]) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: [vec, mixed1, tall], name: 'inception_block' });
}

describe('Concatenate, BatchNormalization(scale=false) and input resizing vs TensorFlow.js', () => {
  const n = 2;
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('matches every output, channel / height / vector concatenations included', async () => {
    const model = buildInceptionBlock([13, 11]);
    const art = await artifactsOf(model);
    const keras = readKerasModel(art.json, () => art.shard);
    const { model: onnxModel, outputs } = convertKerasModel(keras, { outputNames: ['out_vec', 'out_mixed1', 'out_tall'] });
    // stem 11x9x6 -> mixed0 11x9x11 -> mixed1 5x4x15; tall stacks two mixed1 along H.
    expect(outputs.map((o) => o.dims)).toEqual([['N', 30], ['N', 5, 4, 15], ['N', 10, 4, 15]]);
    const x = seededInput(n * 13 * 11 * 3, 7);
    const refs = (model.predict(tf.tensor4d(x, [n, 13, 11, 3])) as tf.Tensor[]).map((t) => t.dataSync());
    const got = await runOnnx(encodeModel(onnxModel), { img: new ort.Tensor('float32', x, [n, 13, 11, 3]) });
    ['out_vec', 'out_mixed1', 'out_tall'].forEach((name, i) => expect(maxAbsDiff(got[name].data as Float32Array, refs[i])).toBeLessThan(1e-5));
    model.dispose();
  });

  it('runs a fully convolutional cut at another input size (inputShapes) like the model built at that size', async () => {
    const saved = buildInceptionBlock([13, 11]);
    const art = await artifactsOf(saved);
    saved.dispose();
    // Seeded initialisers give the model built at 17x16 the same weights.
    const ref = buildInceptionBlock([17, 16]);
    const keras = readKerasModel(art.json, () => art.shard);
    const { model: onnxModel, inputs, outputs } = convertKerasModel(keras, { outputLayers: ['vec'], inputShapes: [[17, 16, 3]] });
    expect(inputs[0].dims).toEqual(['N', 17, 16, 3]);
    const x = seededInput(n * 17 * 16 * 3, 8);
    const want = (ref.predict(tf.tensor4d(x, [n, 17, 16, 3])) as tf.Tensor[])[0].dataSync();
    const got = await runOnnx(encodeModel(onnxModel), { img: new ort.Tensor('float32', x, [n, 17, 16, 3]) });
    expect(maxAbsDiff(got[outputs[0].name].data as Float32Array, want)).toBeLessThan(1e-5);
    expect(() => convertKerasModel(keras, { inputShapes: [[17, 16, 4]] })).toThrow(/same rank and channels/);
    ref.dispose();
  });
});

describe('convertKerasModel errors', () => {
  it('names the layer and class it cannot convert', async () => {
    await tf.setBackend('cpu');
    const input = tf.input({ shape: [4] });
    const out = tf.layers.layerNormalization({ name: 'ln' }).apply(input) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: out });
    const art = await artifactsOf(m);
    const keras = readKerasModel(art.json, () => art.shard);
    expect(() => convertKerasModel(keras)).toThrow(UnsupportedLayerError);
    expect(() => convertKerasModel(keras)).toThrow(/"ln" \(LayerNormalization\)/);
    m.dispose();
  });
});
