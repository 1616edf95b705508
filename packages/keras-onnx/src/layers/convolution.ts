/** Conv2D and DepthwiseConv2D -> ONNX Conv (NCHW), with TF "same" and ZeroPadding2D folded into explicit pads. */
import { attr } from '../graph-builder';
import { convKernelToOnnx, depthwiseKernelToOnnx } from '../kernel-layout';
import type { WeightTensor } from '../keras-model';
import { type LayerContext, type LayerConverter, type Value, expectChannelsLast, expectInputs, expectRank, pair, unsupported } from '../layer-context';
import { type Pads2D, addPads, convOutputSize, tfSamePadding } from '../padding';
import { applyActivation } from './activation';

/**
 * Explicit ONNX pads for a conv/pool window over `x`: pending ZeroPadding2D plus TF "same" padding
 * computed on the already-padded size (TF puts the odd extra pixel at the bottom/right).
 */
export function windowPads(
  ctx: LayerContext,
  x: Value,
  kernel: [number, number],
  strides: [number, number],
  dilation: [number, number],
): { pads: Pads2D; outH: number; outW: number } {
  const pending = x.pendingPads ?? [0, 0, 0, 0];
  const [h, w] = x.shape;
  const padding = ctx.layer.config.padding ?? 'valid';
  let same: Pads2D = [0, 0, 0, 0];
  if (padding === 'same') {
    const [top, bottom] = tfSamePadding(h + pending[0] + pending[2], kernel[0], strides[0], dilation[0]);
    const [left, right] = tfSamePadding(w + pending[1] + pending[3], kernel[1], strides[1], dilation[1]);
    same = [top, left, bottom, right];
  } else if (padding !== 'valid') {
    unsupported(ctx, `padding ${JSON.stringify(padding)}`);
  }
  const pads = addPads(pending, same);
  return {
    pads,
    outH: convOutputSize(h, kernel[0], strides[0], dilation[0], pads[0], pads[2]),
    outW: convOutputSize(w, kernel[1], strides[1], dilation[1], pads[1], pads[3]),
  };
}

function conv(ctx: LayerContext, input: Value, kernel: WeightTensor, group: number): Value {
  expectChannelsLast(ctx);
  expectRank(ctx, input, 3);
  const [, , kh, kw] = kernel.shape;
  const strides = pair(ctx, 'strides', [1, 1]);
  const dilation = pair(ctx, 'dilation_rate', [1, 1]);
  const { pads, outH, outW } = windowPads(ctx, input, [kh, kw], strides, dilation);
  const g = ctx.graph;
  const inputs = [input.name, g.addInitializer(`${ctx.layer.name}/W`, kernel.shape, kernel.values)];
  if (ctx.layer.config.use_bias !== false) {
    const bias = ctx.weight('bias');
    if (bias.values.length !== kernel.shape[0]) unsupported(ctx, `bias of ${bias.values.length} for ${kernel.shape[0]} filters`);
    inputs.push(g.addInitializer(`${ctx.layer.name}/B`, [kernel.shape[0]], bias.values));
  }
  const activation = ctx.layer.config.activation ?? 'linear';
  const name = g.op('Conv', inputs, activation === 'linear' ? ctx.layer.name : `${ctx.layer.name}/conv`, {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints(strides),
    dilations: attr.ints(dilation),
    pads: attr.ints(pads),
    group: attr.int(group),
  });
  return applyActivation(ctx, { name, shape: [outH, outW, kernel.shape[0]] }, activation, ctx.layer.name);
}

export const convertConv2D: LayerConverter = (ctx, inputs) => {
  expectInputs(ctx, inputs, 1);
  if (ctx.layer.config.groups !== undefined && ctx.layer.config.groups !== 1) unsupported(ctx, 'grouped Conv2D');
  const kernel = convKernelToOnnx(ctx.weight('kernel'));
  if (kernel.shape[1] !== inputs[0].shape[2]) unsupported(ctx, `kernel expects ${kernel.shape[1]} input channels, input has ${inputs[0].shape[2]}`);
  return conv(ctx, inputs[0], kernel, 1);
};

export const convertDepthwiseConv2D: LayerConverter = (ctx, inputs) => {
  expectInputs(ctx, inputs, 1);
  const raw = ctx.weight('depthwise_kernel');
  if (raw.shape[2] !== inputs[0].shape[2]) unsupported(ctx, `kernel expects ${raw.shape[2]} channels, input has ${inputs[0].shape[2]}`);
  return conv(ctx, inputs[0], depthwiseKernelToOnnx(raw), raw.shape[2]);
};
