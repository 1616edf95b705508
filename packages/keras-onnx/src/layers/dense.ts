/** Dense on a rank-2 input -> ONNX Gemm (the Keras kernel [in, out] is Gemm's B as is). */
import { attr } from '../graph-builder';
import { type LayerConverter, expectInputs, expectRank, unsupported } from '../layer-context';
import { applyActivation } from './activation';

export const convertDense: LayerConverter = (ctx, inputs) => {
  expectInputs(ctx, inputs, 1);
  const x = ctx.materialize(inputs[0]);
  expectRank(ctx, x, 1);
  const kernel = ctx.weight('kernel');
  const [nIn, nOut] = kernel.shape;
  if (kernel.shape.length !== 2 || nIn !== x.shape[0]) unsupported(ctx, `kernel [${kernel.shape}] for ${x.shape[0]} input features`);
  const g = ctx.graph;
  const bias = ctx.layer.config.use_bias === false ? new Float32Array(nOut) : ctx.weight('bias').values;
  const activation = ctx.layer.config.activation ?? 'linear';
  const name = g.op(
    'Gemm',
    [x.name, g.addInitializer(`${ctx.layer.name}/W`, [nIn, nOut], kernel.values), g.addInitializer(`${ctx.layer.name}/B`, [nOut], bias)],
    activation === 'linear' ? ctx.layer.name : `${ctx.layer.name}/gemm`,
    { alpha: attr.float(1), beta: attr.float(1) },
  );
  return applyActivation(ctx, { name, shape: [nOut] }, activation, ctx.layer.name);
};
