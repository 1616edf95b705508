/** Average / max pooling (windowed and global). */
import { attr } from '../graph-builder';
import { type LayerConverter, expectChannelsLast, expectInputs, expectRank, pair, unsupported } from '../layer-context';
import { windowPads } from './convolution';

function pooling(opType: 'AveragePool' | 'MaxPool'): LayerConverter {
  return (ctx, inputs) => {
    expectInputs(ctx, inputs, 1);
    expectChannelsLast(ctx);
    // Zero padding must not be folded here: it would change averages and maxima.
    const x = ctx.materialize(inputs[0]);
    expectRank(ctx, x, 3);
    const pool = pair(ctx, 'pool_size', [2, 2]);
    const strides = pair(ctx, 'strides', pool);
    const { pads, outH, outW } = windowPads(ctx, x, pool, strides, [1, 1]);
    const attrs = { kernel_shape: attr.ints(pool), strides: attr.ints(strides), pads: attr.ints(pads) };
    // TF's "same" average pooling divides by the number of real (non-padded) pixels: count_include_pad = 0.
    if (opType === 'AveragePool') Object.assign(attrs, { count_include_pad: attr.int(0) });
    return { name: ctx.graph.op(opType, [x.name], ctx.layer.name, attrs), shape: [outH, outW, x.shape[2]] };
  };
}

function globalPooling(opType: 'GlobalAveragePool' | 'GlobalMaxPool'): LayerConverter {
  return (ctx, inputs) => {
    expectInputs(ctx, inputs, 1);
    expectChannelsLast(ctx);
    if (ctx.layer.config.keepdims === true) unsupported(ctx, 'keepdims=true');
    const x = ctx.materialize(inputs[0]);
    expectRank(ctx, x, 3);
    const g = ctx.graph;
    const pooled = g.op(opType, [x.name], `${ctx.layer.name}/pool`);
    return { name: g.op('Flatten', [pooled], ctx.layer.name, { axis: attr.int(1) }), shape: [x.shape[2]] };
  };
}

export const convertAveragePooling2D = pooling('AveragePool');
export const convertMaxPooling2D = pooling('MaxPool');
export const convertGlobalAveragePooling2D = globalPooling('GlobalAveragePool');
export const convertGlobalMaxPooling2D = globalPooling('GlobalMaxPool');
