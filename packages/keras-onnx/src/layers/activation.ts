/** ReLU / Activation layers and the `activation` option fused into Conv2D / Dense. */
import { attr } from '../graph-builder';
import { type LayerContext, type LayerConverter, type Value, expectInputs, unsupported } from '../layer-context';

function clip(ctx: LayerContext, v: Value, min: number, max: number, out: string): Value {
  // Opset >= 11 takes Clip bounds as (scalar) inputs, not attributes.
  const lo = ctx.graph.addInitializer(`${ctx.layer.name}/clip_min`, [], new Float32Array([min]));
  const hi = ctx.graph.addInitializer(`${ctx.layer.name}/clip_max`, [], new Float32Array([max]));
  return { name: ctx.graph.op('Clip', [v.name, lo, hi], out), shape: v.shape };
}

/** Applies a Keras activation by name to a value; `out` is the result's base name. */
export function applyActivation(ctx: LayerContext, v: Value, activation: unknown, out: string): Value {
  const g = ctx.graph;
  switch (activation ?? 'linear') {
    case 'linear':
      return v;
    case 'relu':
      return { name: g.op('Relu', [v.name], out), shape: v.shape };
    case 'relu6':
      return clip(ctx, v, 0, 6, out);
    case 'sigmoid':
      return { name: g.op('Sigmoid', [v.name], out), shape: v.shape };
    case 'tanh':
      return { name: g.op('Tanh', [v.name], out), shape: v.shape };
    case 'softmax':
      // Keras softmax is over the last (channel) axis, which is axis 1 of an NCHW value.
      return { name: g.op('Softmax', [v.name], out, { axis: attr.int(v.shape.length === 3 ? 1 : -1) }), shape: v.shape };
    default:
      unsupported(ctx, `activation ${JSON.stringify(activation)}`);
  }
}

/** keras.layers.ReLU(max_value, negative_slope, threshold): only the plain and capped (ReLU6) forms. */
export const convertReLU: LayerConverter = (ctx, inputs) => {
  expectInputs(ctx, inputs, 1);
  const x = ctx.materialize(inputs[0]);
  const { max_value: max, negative_slope: slope, threshold } = ctx.layer.config;
  if ((slope ?? 0) !== 0 || (threshold ?? 0) !== 0) unsupported(ctx, `negative_slope=${String(slope)} threshold=${String(threshold)}`);
  if (max === null || max === undefined) return { name: ctx.graph.op('Relu', [x.name], ctx.layer.name), shape: x.shape };
  if (typeof max !== 'number') unsupported(ctx, `max_value ${JSON.stringify(max)}`);
  return clip(ctx, x, 0, max, ctx.layer.name);
};

export const convertActivation: LayerConverter = (ctx, inputs) => {
  expectInputs(ctx, inputs, 1);
  const x = ctx.materialize(inputs[0]);
  const out = applyActivation(ctx, x, ctx.layer.config.activation, ctx.layer.name);
  return out === x ? { name: ctx.graph.op('Identity', [x.name], ctx.layer.name), shape: x.shape } : out;
};
