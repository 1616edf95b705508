/** Add (residual connections) and Concatenate (Inception's parallel branches). */
import { attr } from '../graph-builder';
import { type LayerConverter, unsupported } from '../layer-context';

export const convertAdd: LayerConverter = (ctx, inputs) => {
  if (inputs.length < 2) unsupported(ctx, `needs at least 2 inputs, got ${inputs.length}`);
  const xs = inputs.map((v) => ctx.materialize(v));
  const shape = xs[0].shape;
  // Keras Add requires equal shapes; refusing here avoids silently relying on ONNX broadcasting.
  for (const x of xs) if (x.shape.join() !== shape.join()) unsupported(ctx, `shape mismatch [${x.shape}] vs [${shape}]`);
  const op = xs.length === 2 ? 'Add' : 'Sum';
  return { name: ctx.graph.op(op, xs.map((x) => x.name), ctx.layer.name), shape };
};

/**
 * Concatenate along one axis. Keras counts axes with the batch first and channels last; values here
 * are batch-less and rank-4 ones are held NCHW, so the Keras channel axis becomes ONNX axis 1 and
 * Keras H / W become 2 / 3.
 */
export const convertConcatenate: LayerConverter = (ctx, inputs) => {
  if (inputs.length < 2) unsupported(ctx, `needs at least 2 inputs, got ${inputs.length}`);
  const xs = inputs.map((v) => ctx.materialize(v));
  const rank = xs[0].shape.length;
  for (const x of xs) if (x.shape.length !== rank) unsupported(ctx, `inputs of different ranks [${x.shape}] vs [${xs[0].shape}]`);
  const raw = ctx.layer.config.axis ?? -1;
  if (typeof raw !== 'number' || !Number.isInteger(raw)) unsupported(ctx, `axis ${JSON.stringify(raw)}`);
  const kerasAxis = raw < 0 ? raw + rank + 1 : raw;
  if (kerasAxis < 1 || kerasAxis > rank) unsupported(ctx, `axis ${raw} (concatenating along the batch is not supported)`);
  const at = kerasAxis - 1; // index into the batch-less shape
  for (const x of xs) {
    if (x.shape.some((d, i) => i !== at && d !== xs[0].shape[i])) unsupported(ctx, `shapes [${x.shape}] and [${xs[0].shape}] differ off axis ${raw}`);
  }
  const onnxAxis = rank === 3 ? [2, 3, 1][at] : kerasAxis;
  const shape = xs[0].shape.slice();
  shape[at] = xs.reduce((s, x) => s + x.shape[at], 0);
  return { name: ctx.graph.op('Concat', xs.map((x) => x.name), ctx.layer.name, { axis: attr.int(onnxAxis) }), shape };
};
