/** ZeroPadding2D (deferred), Flatten, and inference-time no-ops (Dropout). */
import { attr } from '../graph-builder';
import { type LayerConverter, expectChannelsLast, expectInputs, expectRank } from '../layer-context';
import { addPads, zeroPadding2D } from '../padding';

export const convertZeroPadding2D: LayerConverter = (ctx, inputs) => {
  expectInputs(ctx, inputs, 1);
  expectChannelsLast(ctx);
  const x = inputs[0];
  expectRank(ctx, x, 3);
  return { ...x, pendingPads: addPads(x.pendingPads ?? [0, 0, 0, 0], zeroPadding2D(ctx.layer.config.padding)) };
};

export const convertFlatten: LayerConverter = (ctx, inputs) => {
  expectInputs(ctx, inputs, 1);
  const x = ctx.materialize(inputs[0]);
  const g = ctx.graph;
  let src = x.name;
  // Keras flattens in H, W, C order; the graph holds NCHW, so go back to NHWC first unless the
  // spatial extent is 1x1 (then both orders coincide and the transpose is skipped).
  if (x.shape.length === 3 && x.shape[0] * x.shape[1] > 1) {
    src = g.op('Transpose', [x.name], `${ctx.layer.name}/nhwc`, { perm: attr.ints([0, 2, 3, 1]) });
  }
  const features = x.shape.reduce((a, b) => a * b, 1);
  return { name: g.op('Flatten', [src], ctx.layer.name, { axis: attr.int(1) }), shape: [features] };
};

/** Dropout (and friends) are identities at inference. */
export const convertIdentity: LayerConverter = (ctx, inputs) => {
  expectInputs(ctx, inputs, 1);
  return inputs[0];
};

