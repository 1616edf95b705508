/**
 * An nsfwjs backbone (MobileNetV2 by default, or InceptionV3, optionally at another square input size) whose embedding concatenates the global average of several layers' feature
 * maps (earlier layers keep texture and colour detail the last, task-specific layers pool away),
 * optionally averaged over the image and its mirror image (flip test-time augmentation, inside the
 * graph: the batch is run as [x; flip(x)] and the two halves' embeddings averaged).
 */
import { attr, convertKerasModel, encodeModel, OnnxGraphBuilder, readKerasModel } from '@cataract/keras-onnx';
import { BACKBONE_INPUT, BACKBONE_MODEL, EMBEDDING_OUTPUT, INPUT_NAME } from './backbone';
import { loadNsfwjsModel, shardReader, type NsfwjsModelName } from './nsfwjs-model';

export interface PooledBackboneOptions {
  flip?: boolean;
  /** nsfwjs model (default the clip backbone, MobileNetV2). */
  model?: NsfwjsModelName;
  /** Square input size; default the size the model was saved with. */
  size?: number;
}

export function buildPooledBackbone(layers: readonly string[], opts: PooledBackboneOptions = {}): { bytes: Uint8Array; width: number; widths: number[] } {
  const name = opts.model ?? BACKBONE_MODEL;
  const files = loadNsfwjsModel(name);
  const keras = readKerasModel(files.modelJson, shardReader(files));
  // The size the model was saved with builds the graph it always did (same bytes, same cache keys).
  const input = keras.layers.find((l) => l.className === 'InputLayer')?.config.batch_input_shape;
  const size = Array.isArray(input) && input[1] === opts.size && input[2] === opts.size ? undefined : opts.size;
  const taps = layers.map((l) => `tap/${l}`);
  const { model, outputs } = convertKerasModel(keras, {
    outputLayers: [...layers],
    outputNames: taps,
    inputNames: [INPUT_NAME],
    layout: BACKBONE_INPUT.layout,
    inputShapes: size ? [[size, size, 3]] : undefined,
  });
  const g = OnnxGraphBuilder.fromModel(model);
  const pooled = outputs.map((o) => (o.dims.length === 4 ? g.op('ReduceMean', [o.name], `${o.name}/gap`, { axes: attr.ints([1, 2]), keepdims: attr.int(0) }) : o.name));
  const widths = outputs.map((o) => Number(o.dims[o.dims.length - 1]));
  const width = widths.reduce((a, b) => a + b, 0);
  let embedding = g.op('Concat', pooled, opts.flip ? 'embedding/both' : EMBEDDING_OUTPUT, { axis: attr.int(1) });
  if (opts.flip) {
    // Feed [x; x mirrored along W] to the first consumers of the input, then average the halves.
    const flipped = g.op('Slice', [INPUT_NAME, g.addInitializer('flip/starts', [1], BigInt64Array.from([-1n])), g.addInitializer('flip/ends', [1], BigInt64Array.from([-(2n ** 62n)])), g.addInitializer('flip/axes', [1], BigInt64Array.from([2n])), g.addInitializer('flip/steps', [1], BigInt64Array.from([-1n]))], 'flip/x');
    const both = g.op('Concat', [INPUT_NAME, flipped], 'flip/batch', { axis: attr.int(0) });
    for (const n of g.nodes) {
      if (n.name?.startsWith('flip/')) continue;
      n.input = (n.input ?? []).map((i) => (i === INPUT_NAME ? both : i));
    }
    const halves = g.op('Reshape', [embedding, g.addInitializer('flip/shape', [3], BigInt64Array.from([2n, -1n, BigInt(width)]))], 'flip/halves');
    embedding = g.op('ReduceMean', [halves], EMBEDDING_OUTPUT, { axes: attr.ints([0]), keepdims: attr.int(0) });
  }
  if (embedding !== EMBEDDING_OUTPUT) throw new Error(`"${EMBEDDING_OUTPUT}" is already a value of the backbone`);
  g.outputs = [];
  g.addOutput(EMBEDDING_OUTPUT, ['N', width]);
  return { bytes: encodeModel(g.build({ producerName: '@cataract/tools pooled-backbone', docString: `nsfwjs ${name}${size ? ` at ${size} px` : ''}: mean-pooled ${layers.join(', ')}${opts.flip ? ', flip-averaged' : ''}` })), width, widths };
}
