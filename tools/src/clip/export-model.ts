/**
 * Appends the trained head to the backbone graph so the actor runs ONE ONNX model:
 * embedding [N, D] -> Gemm -> logits [N, 2] -> Softmax -> probabilities [N, 2] (labels order).
 */
import { OnnxGraphBuilder, attr, decodeModel, encodeModel } from '@cataract/keras-onnx';

export interface LinearHead {
  /** z = weights . embedding + bias is the log-odds of labels[1] vs labels[0]. */
  weights: Float32Array;
  bias: number;
}

export interface ExportOptions {
  embeddingOutput: string;
  outputName: string;
  producerName: string;
  docString: string;
  metadata?: Record<string, string>;
}

export function appendSoftmaxHead(backbone: Uint8Array, head: LinearHead, opts: ExportOptions): Uint8Array {
  const g = OnnxGraphBuilder.fromModel(decodeModel(backbone));
  const embedding = g.outputs.find((o) => o.name === opts.embeddingOutput);
  if (!embedding) throw new Error(`backbone has no output "${opts.embeddingOutput}"`);
  const dims = embedding.type?.tensorType?.shape?.dim ?? [];
  const width = Number(dims[1]?.dimValue ?? NaN);
  if (dims.length !== 2 || width !== head.weights.length) {
    throw new Error(`embedding output is [${dims.map((d) => d.dimValue ?? d.dimParam)}], head expects [N, ${head.weights.length}]`);
  }
  // Logits [0, z]: softmax gives [1 - sigmoid(z), sigmoid(z)], exactly the logistic model.
  const b = new Float32Array(width * 2);
  for (let j = 0; j < width; j++) b[j * 2 + 1] = head.weights[j];
  const w = g.addInitializer('head/W', [width, 2], b);
  const c = g.addInitializer('head/B', [2], Float32Array.from([0, head.bias]));
  const logits = g.op('Gemm', [opts.embeddingOutput, w, c], 'logits', { alpha: attr.float(1), beta: attr.float(1) });
  const probs = g.op('Softmax', [logits], opts.outputName, { axis: attr.int(1) });
  if (probs !== opts.outputName) throw new Error(`output name "${opts.outputName}" is already used in the backbone`);
  const batch = dims[0]?.dimParam || 'N';
  g.outputs = [];
  g.addOutput(opts.outputName, [batch, 2]);
  return encodeModel(g.build({ producerName: opts.producerName, docString: opts.docString, metadata: opts.metadata }));
}
