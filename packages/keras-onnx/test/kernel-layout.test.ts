import { convKernelToOnnx, depthwiseKernelToOnnx } from '../src/kernel-layout';
import { WeightError } from '../src/errors';

const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

describe('convKernelToOnnx', () => {
  it('moves [kh, kw, in, out] to [out, in, kh, kw] element by element', () => {
    const [kh, kw, cin, cout] = [3, 2, 4, 5];
    const k = { shape: [kh, kw, cin, cout], values: iota(kh * kw * cin * cout) };
    const o = convKernelToOnnx(k);
    expect(o.shape).toEqual([cout, cin, kh, kw]);
    for (let h = 0; h < kh; h++)
      for (let w = 0; w < kw; w++)
        for (let i = 0; i < cin; i++)
          for (let c = 0; c < cout; c++) {
            expect(o.values[((c * cin + i) * kh + h) * kw + w]).toBe(k.values[((h * kw + w) * cin + i) * cout + c]);
          }
  });
  it('rejects a kernel of the wrong rank', () => {
    expect(() => convKernelToOnnx({ shape: [3, 3], values: iota(9) })).toThrow(WeightError);
  });
});

describe('depthwiseKernelToOnnx', () => {
  it('maps [kh, kw, in, mult] to [in * mult, 1, kh, kw] with output channel c * mult + m', () => {
    const [kh, kw, cin, mult] = [3, 3, 4, 2];
    const k = { shape: [kh, kw, cin, mult], values: iota(kh * kw * cin * mult) };
    const o = depthwiseKernelToOnnx(k);
    expect(o.shape).toEqual([cin * mult, 1, kh, kw]);
    for (let h = 0; h < kh; h++)
      for (let w = 0; w < kw; w++)
        for (let c = 0; c < cin; c++)
          for (let m = 0; m < mult; m++) {
            expect(o.values[((c * mult + m) * kh + h) * kw + w]).toBe(k.values[((h * kw + w) * cin + c) * mult + m]);
          }
  });
  it('is the plain [in, 1, kh, kw] transpose for multiplier 1', () => {
    const k = { shape: [1, 2, 3, 1], values: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    // TF [h=0][w][c]: w0 -> (1,2,3), w1 -> (4,5,6); ONNX [c][0][0][w]
    expect(Array.from(depthwiseKernelToOnnx(k).values)).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
