import { convOutputSize, tfSamePadding, zeroPadding2D } from '../src/padding';
import { ShapeError } from '../src/errors';

describe('tfSamePadding (TensorFlow "SAME")', () => {
  it('pads symmetrically for odd kernels at stride 1', () => {
    expect(tfSamePadding(7, 3, 1)).toEqual([1, 1]);
    expect(tfSamePadding(224, 5, 1)).toEqual([2, 2]);
  });
  it('puts the extra pixel after (bottom/right) for an even input at stride 2', () => {
    // out = 112, needed = 111*2 + 3 - 224 = 1 -> [0, 1]
    expect(tfSamePadding(224, 3, 2)).toEqual([0, 1]);
    expect(tfSamePadding(10, 4, 2)).toEqual([1, 1]);
    expect(tfSamePadding(10, 2, 2)).toEqual([0, 0]);
  });
  it('pads odd inputs at stride 2 symmetrically', () => {
    expect(tfSamePadding(7, 3, 2)).toEqual([1, 1]);
  });
  it('accounts for dilation via the effective kernel', () => {
    // effective kernel (3-1)*2+1 = 5
    expect(tfSamePadding(8, 3, 1, 2)).toEqual([2, 2]);
  });
  it('gives ceil(in / stride) outputs together with convOutputSize', () => {
    for (const inSize of [1, 5, 7, 10, 112, 224]) {
      for (const k of [1, 2, 3, 5]) {
        for (const s of [1, 2, 3]) {
          const [b, a] = tfSamePadding(inSize, k, s);
          expect(convOutputSize(inSize, k, s, 1, b, a)).toBe(Math.ceil(inSize / s));
          expect(a - b === 0 || a - b === 1).toBe(true);
        }
      }
    }
  });
});

describe('convOutputSize', () => {
  it('matches the valid-convolution formula', () => {
    expect(convOutputSize(225, 3, 2, 1, 0, 0)).toBe(112);
    expect(convOutputSize(7, 7, 7, 1, 0, 0)).toBe(1);
  });
  it('throws ShapeError when the window does not fit', () => {
    expect(() => convOutputSize(2, 3, 1, 1, 0, 0)).toThrow(ShapeError);
  });
});

describe('zeroPadding2D', () => {
  it('accepts an int, a symmetric pair and ((top, bottom), (left, right)), returning ONNX order [t, l, b, r]', () => {
    expect(zeroPadding2D(2)).toEqual([2, 2, 2, 2]);
    expect(zeroPadding2D([1, 3])).toEqual([1, 3, 1, 3]);
    expect(zeroPadding2D([[0, 1], [2, 3]])).toEqual([0, 2, 1, 3]);
  });
  it('rejects other forms', () => {
    expect(() => zeroPadding2D('same')).toThrow(ShapeError);
    expect(() => zeroPadding2D([[1, 2, 3], [1, 2]])).toThrow(ShapeError);
  });
});
