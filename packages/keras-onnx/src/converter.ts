/**
 * Keras functional model -> ONNX graph. Layers are converted on demand, walking back from the
 * requested outputs, so a model can be cut at any layer (e.g. a backbone's pooled embedding).
 * Internally every rank-4 tensor is NCHW (what ONNX Conv wants); the graph input can stay NHWC
 * like TensorFlow.js (one Transpose at the input) and the batch dimension is symbolic.
 */
import { type Dim, OnnxGraphBuilder, attr } from './graph-builder';
import { InvalidKerasModelError, ShapeError, UnsupportedLayerError, WeightError } from './errors';
import type { KerasLayer, KerasModel, KerasTensorRef } from './keras-model';
import type { LayerContext, Value } from './layer-context';
import { LAYER_CONVERTERS } from './layers';
import { isZeroPads } from './padding';
import type { onnx } from 'onnx-proto';

export type Layout = 'NHWC' | 'NCHW';

export interface ConvertOptions {
  /** Layer names whose outputs become graph outputs (default: the model's outputs). */
  outputLayers?: string[];
  /** Graph output names, one per output layer (default: the layer names). */
  outputNames?: string[];
  /** Graph input names, one per model input (default: the input layer names). */
  inputNames?: string[];
  /**
   * Batch-less input shapes (Keras order, e.g. [224, 224, 3]) replacing the ones in the model, one per
   * model input: a fully convolutional cut can run at another resolution than it was saved with.
   * Layers whose weights fix a size (Dense, a pooling window larger than the map) still fail.
   */
  inputShapes?: number[][];
  /** Layout of rank-4 graph inputs and outputs (default NHWC, as in TensorFlow.js). */
  layout?: Layout;
  /** Symbolic name of the dynamic batch dimension (default "N"). */
  batchDim?: string;
  opset?: number;
  producerName?: string;
  docString?: string;
  metadata?: Record<string, string>;
}

export interface GraphIO {
  name: string;
  dims: Dim[];
}
export interface ConvertedModel {
  model: onnx.IModelProto;
  inputs: GraphIO[];
  outputs: GraphIO[];
}

function toGraphDims(shape: number[], layout: Layout, batch: string): Dim[] {
  if (shape.length === 3 && layout === 'NCHW') return [batch, shape[2], shape[0], shape[1]];
  return [batch, ...shape];
}

export function convertKerasModel(model: KerasModel, opts: ConvertOptions = {}): ConvertedModel {
  const layout = opts.layout ?? 'NHWC';
  const batch = opts.batchDim ?? 'N';
  const g = new OnnxGraphBuilder();
  const byName = new Map<string, KerasLayer>();
  for (const l of model.layers) {
    if (byName.has(l.name)) throw new InvalidKerasModelError(`duplicate layer name "${l.name}"`);
    byName.set(l.name, l);
  }
  const values = new Map<string, Value>();

  const materialize = (v: Value): Value => {
    if (!v.pendingPads || isZeroPads(v.pendingPads)) return { name: v.name, shape: v.shape };
    const [t, l, b, r] = v.pendingPads;
    // ONNX Pad (opset >= 11) takes pads as an int64 input: [N, C, H, W] begins then ends.
    const pads = g.addInitializer(`${v.name}/pads`, [8], BigInt64Array.from([0, 0, t, l, 0, 0, b, r].map(BigInt)));
    const name = g.op('Pad', [v.name, pads], `${v.name}/padded`, { mode: attr.string('constant') });
    return { name, shape: [v.shape[0] + t + b, v.shape[1] + l + r, v.shape[2]] };
  };

  const contextFor = (layer: KerasLayer): LayerContext => ({
    layer,
    graph: g,
    materialize,
    hasWeight: (suffix) => model.weights.has(`${layer.name}/${suffix}`),
    weight: (suffix) => {
      const w = model.weights.get(`${layer.name}/${suffix}`);
      if (!w) throw new WeightError(`layer "${layer.name}": weight "${layer.name}/${suffix}" not in the weights manifest`);
      return w;
    },
  });

  // Graph inputs first, in the model's order, so the input signature does not depend on the cut.
  const inputs: GraphIO[] = model.inputs.map((ref, i) => {
    const layer = byName.get(ref.layer);
    if (!layer || layer.className !== 'InputLayer') throw new InvalidKerasModelError(`model input "${ref.layer}" is not an InputLayer`);
    const bis = layer.config.batch_input_shape ?? layer.config.batch_shape;
    if (!Array.isArray(bis) || bis.slice(1).some((d) => typeof d !== 'number')) {
      throw new ShapeError(`input "${layer.name}" needs a fully known shape besides the batch, got ${JSON.stringify(bis)}`);
    }
    const saved = bis.slice(1) as number[];
    const shape = opts.inputShapes?.[i] ?? saved;
    if (shape.length !== saved.length || shape[shape.length - 1] !== saved[saved.length - 1] || shape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new ShapeError(`input "${layer.name}": shape [${shape}] cannot replace [${saved}] (same rank and channels required)`);
    }
    if (shape.length !== 3 && shape.length !== 1) throw new ShapeError(`input "${layer.name}": only image [H,W,C] or vector [F] inputs are supported`);
    const name = g.addInput(opts.inputNames?.[i] ?? layer.name, toGraphDims(shape, layout, batch));
    let internal = name;
    if (shape.length === 3 && layout === 'NHWC') {
      internal = g.op('Transpose', [name], `${layer.name}/nchw`, { perm: attr.ints([0, 3, 1, 2]) });
    }
    values.set(layer.name, { name: internal, shape });
    return { name, dims: toGraphDims(shape, layout, batch) };
  });

  const visiting = new Set<string>();
  const valueOf = (ref: KerasTensorRef): Value => {
    if (ref.nodeIndex !== 0 || ref.tensorIndex !== 0) {
      throw new InvalidKerasModelError(`reference to ${ref.layer}[${ref.nodeIndex}][${ref.tensorIndex}]: only single-output, single-call layers are supported`);
    }
    const done = values.get(ref.layer);
    if (done) return done;
    const layer = byName.get(ref.layer);
    if (!layer) throw new InvalidKerasModelError(`unknown layer "${ref.layer}"`);
    if (layer.className === 'InputLayer') throw new InvalidKerasModelError(`input layer "${layer.name}" is not a model input`);
    if (visiting.has(layer.name)) throw new InvalidKerasModelError(`cycle through layer "${layer.name}"`);
    const convert = LAYER_CONVERTERS[layer.className];
    if (!convert) throw new UnsupportedLayerError(layer.name, layer.className, 'no converter for this layer class');
    visiting.add(layer.name);
    const ins = layer.inbound.map(valueOf);
    const v = convert(contextFor(layer), ins);
    visiting.delete(layer.name);
    values.set(layer.name, v);
    return v;
  };

  const outputRefs: KerasTensorRef[] = opts.outputLayers
    ? opts.outputLayers.map((layer) => ({ layer, nodeIndex: 0, tensorIndex: 0 }))
    : model.outputs;
  if (opts.outputNames && opts.outputNames.length !== outputRefs.length) {
    throw new InvalidKerasModelError(`${opts.outputNames.length} output names for ${outputRefs.length} outputs`);
  }
  const outputs: GraphIO[] = outputRefs.map((ref, i) => {
    const v = materialize(valueOf(ref));
    let src = v.name;
    if (v.shape.length === 3 && layout === 'NHWC') src = g.op('Transpose', [src], `${ref.layer}/nhwc`, { perm: attr.ints([0, 2, 3, 1]) });
    // A named Identity keeps the public output name independent of internal value names.
    const name = g.claimName(opts.outputNames?.[i] ?? `${ref.layer}:out`);
    g.nodes.push({ name: `${name}/Identity`, opType: 'Identity', input: [src], output: [name] });
    const dims = toGraphDims(v.shape, layout, batch);
    g.addOutput(name, dims);
    return { name, dims };
  });

  const onnxModel = g.build({
    producerName: opts.producerName ?? '@cataract/keras-onnx',
    graphName: model.name,
    opset: opts.opset ?? 13,
    docString: opts.docString,
    metadata: opts.metadata,
  });
  return { model: onnxModel, inputs, outputs };
}
