/** Add (residual connections). */
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
