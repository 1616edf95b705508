/**
 * Weight layout transforms between TensorFlow (channels-last kernels) and ONNX (output-channel-first).
 */
import { WeightError } from './errors';
import type { WeightTensor } from './keras-model';

function expectRank(t: WeightTensor, rank: number, what: string): void {
  if (t.shape.length !== rank) throw new WeightError(`${what}: expected a rank-${rank} kernel, got shape [${t.shape}]`);
}

/** Conv2D kernel [kh, kw, in, out] (HWIO) -> ONNX Conv weight [out, in, kh, kw] (OIHW). */
export function convKernelToOnnx(k: WeightTensor): WeightTensor {
  expectRank(k, 4, 'Conv2D');
  const [kh, kw, cin, cout] = k.shape;
  const out = new Float32Array(k.values.length);
  for (let h = 0; h < kh; h++)
    for (let w = 0; w < kw; w++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + h) * kw + w] = k.values[((h * kw + w) * cin + i) * cout + o];
  return { shape: [cout, cin, kh, kw], values: out };
}

/**
 * DepthwiseConv2D kernel [kh, kw, in, mult] -> ONNX grouped Conv weight [in * mult, 1, kh, kw] with
 * group = in. TF orders the depthwise output channels as c * mult + m, which is exactly the order of
 * ONNX's group-major output channels, so no channel permutation is needed.
 */
export function depthwiseKernelToOnnx(k: WeightTensor): WeightTensor {
  expectRank(k, 4, 'DepthwiseConv2D');
  const [kh, kw, cin, mult] = k.shape;
  const out = new Float32Array(k.values.length);
  for (let h = 0; h < kh; h++)
    for (let w = 0; w < kw; w++)
      for (let c = 0; c < cin; c++)
        for (let m = 0; m < mult; m++) out[((c * mult + m) * kh + h) * kw + w] = k.values[((h * kw + w) * cin + c) * mult + m];
  return { shape: [cin * mult, 1, kh, kw], values: out };
}
