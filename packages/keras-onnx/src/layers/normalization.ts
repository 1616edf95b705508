/** BatchNormalization (inference form, moving statistics) -> ONNX BatchNormalization on the channel axis. */
import { attr } from '../graph-builder';
import { type LayerConverter, expectInputs, unsupported } from '../layer-context';

export const convertBatchNormalization: LayerConverter = (ctx, inputs) => {
  expectInputs(ctx, inputs, 1);
  const x = ctx.materialize(inputs[0]);
  const { axis, epsilon, center, scale } = ctx.layer.config;
  const rank = x.shape.length + 1;
  const ax = Array.isArray(axis) && axis.length === 1 ? axis[0] : axis;
  // Only normalisation over the channels-last axis maps onto ONNX's channel axis 1.
  if (ax !== -1 && ax !== rank - 1) unsupported(ctx, `axis ${JSON.stringify(axis)}`);
  const channels = x.shape[x.shape.length - 1];
  const param = (suffix: string, enabled: boolean, fill: number): Float32Array => {
    if (!enabled) return new Float32Array(channels).fill(fill);
    const w = ctx.weight(suffix);
    if (w.values.length !== channels) unsupported(ctx, `${suffix} has ${w.values.length} values for ${channels} channels`);
    return w.values;
  };
  const g = ctx.graph;
  const n = ctx.layer.name;
  const inputsOnnx = [
    x.name,
    g.addInitializer(`${n}/gamma`, [channels], param('gamma', scale !== false, 1)),
    g.addInitializer(`${n}/beta`, [channels], param('beta', center !== false, 0)),
    g.addInitializer(`${n}/moving_mean`, [channels], param('moving_mean', true, 0)),
    g.addInitializer(`${n}/moving_variance`, [channels], param('moving_variance', true, 1)),
  ];
  // Keras' default epsilon is 1e-3 (ONNX's is 1e-5): always pass the layer's own value.
  const eps = typeof epsilon === 'number' ? epsilon : 1e-3;
  return { name: g.op('BatchNormalization', inputsOnnx, n, { epsilon: attr.float(eps) }), shape: x.shape };
};
