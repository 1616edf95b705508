/** Spatial padding arithmetic shared by the convolution and pooling converters (TF conventions). */
import { ShapeError } from './errors';

/** [top, left, bottom, right] in ONNX `pads` order for 2-D ops: [x1_begin, x2_begin, x1_end, x2_end]. */
export type Pads2D = [number, number, number, number];

/**
 * TensorFlow "SAME" padding along one axis: output = ceil(in / stride) and the total padding needed
 * for that output, split with the extra pixel AFTER (bottom/right). This asymmetry is why a
 * symmetric ONNX pad cannot be used for even sizes with stride 2.
 */
export function tfSamePadding(inSize: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + effective - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Output size along one axis of a convolution/pooling with explicit padding. */
export function convOutputSize(inSize: number, kernel: number, stride: number, dilation: number, padBefore: number, padAfter: number): number {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.floor((inSize + padBefore + padAfter - effective) / stride) + 1;
  if (out < 1) throw new ShapeError(`input size ${inSize} (+${padBefore}+${padAfter} padding) is smaller than the kernel extent ${effective}`);
  return out;
}

/**
 * Keras ZeroPadding2D `padding` (int | [sym_h, sym_w] | [[top, bottom], [left, right]]) as ONNX-ordered pads.
 */
export function zeroPadding2D(padding: unknown): Pads2D {
  if (typeof padding === 'number') return [padding, padding, padding, padding];
  if (Array.isArray(padding) && padding.length === 2) {
    const [h, w] = padding;
    if (typeof h === 'number' && typeof w === 'number') return [h, w, h, w];
    if (Array.isArray(h) && Array.isArray(w) && h.length === 2 && w.length === 2 && [...h, ...w].every((v) => typeof v === 'number')) {
      return [h[0], w[0], h[1], w[1]];
    }
  }
  throw new ShapeError(`unsupported ZeroPadding2D padding ${JSON.stringify(padding)}`);
}

export const addPads = (a: Pads2D, b: Pads2D): Pads2D => [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]];
export const isZeroPads = (p: Pads2D): boolean => p.every((v) => v === 0);
