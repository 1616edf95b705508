/** What a layer converter receives: its Keras layer, the graph under construction and its input values. */
import type { OnnxGraphBuilder } from './graph-builder';
import type { KerasLayer, WeightTensor } from './keras-model';
import type { Pads2D } from './padding';
import { UnsupportedLayerError } from './errors';

/**
 * A converted tensor. Rank-4 values are NCHW inside the graph; `shape` is the Keras (channels-last,
 * batch-less) shape of the ONNX value `name`: [H, W, C] or [F].
 */
export interface Value {
  name: string;
  shape: number[];
  /**
   * ZeroPadding2D not yet applied. It is folded into the `pads` of a following convolution (how
   * Keras MobileNetV2 builds its stride-2 blocks) and only becomes a Pad node if something else reads it.
   */
  pendingPads?: Pads2D;
}

export interface LayerContext {
  readonly layer: KerasLayer;
  readonly graph: OnnxGraphBuilder;
  /** The layer's weight `${layer}/${suffix}`; throws WeightError when absent. */
  weight(suffix: string): WeightTensor;
  hasWeight(suffix: string): boolean;
  /** Applies any pending zero padding (Pad node) and returns a plain value. */
  materialize(v: Value): Value;
}

export type LayerConverter = (ctx: LayerContext, inputs: Value[]) => Value;

export function unsupported(ctx: LayerContext, detail: string): never {
  throw new UnsupportedLayerError(ctx.layer.name, ctx.layer.className, detail);
}

/** A Keras int-or-pair option (kernel_size, strides, dilation_rate, pool_size). */
export function pair(ctx: LayerContext, key: string, fallback?: [number, number]): [number, number] {
  const v = ctx.layer.config[key];
  if (v === undefined || v === null) {
    if (fallback) return fallback;
    unsupported(ctx, `missing ${key}`);
  }
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0], v[1]];
  unsupported(ctx, `${key} ${JSON.stringify(v)}`);
}

export function expectChannelsLast(ctx: LayerContext): void {
  const f = ctx.layer.config.data_format;
  if (f !== undefined && f !== null && f !== 'channels_last') unsupported(ctx, `data_format ${String(f)}`);
}

export function expectRank(ctx: LayerContext, v: Value, rank: number): void {
  if (v.shape.length !== rank) unsupported(ctx, `expects a rank-${rank + 1} input (with batch), got [N, ${v.shape}]`);
}

export function expectInputs(ctx: LayerContext, inputs: Value[], n: number): void {
  if (inputs.length !== n) unsupported(ctx, `expects ${n} input(s), got ${inputs.length}`);
}
