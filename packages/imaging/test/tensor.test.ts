import sharp from 'sharp';
import { ImageRejectedError, TensorSpec, imageToTensor, tensorSize } from '@cataract/imaging';
import { solidImage } from './synthetic';

const MEAN: [number, number, number] = [0.485, 0.456, 0.406];
const STD: [number, number, number] = [0.229, 0.224, 0.225];
const spec = (layout: 'NCHW' | 'NHWC', resize: TensorSpec['resize'] = 'fill'): TensorSpec => ({
  layout, width: 8, height: 6, channels: 3, mean: MEAN, std: STD, resize,
});
/** What one 8-bit value must become, in float32. */
const norm = (v: number, c: number) => Math.fround((v / 255 - MEAN[c]) / STD[c]);
const RGB = [10, 128, 250];

describe('imageToTensor', () => {
  it('writes exact normalised values in NCHW (channel planes)', async () => {
    const t = await imageToTensor(await solidImage(30, 20, RGB as [number, number, number]), spec('NCHW'));
    expect(t).toBeInstanceOf(Float32Array);
    expect(t.length).toBe(3 * 8 * 6);
    for (let c = 0; c < 3; c++) {
      const plane = Array.from(t.subarray(c * 48, (c + 1) * 48));
      expect(plane).toEqual(new Array(48).fill(norm(RGB[c], c)));
    }
  });

  it('writes exact normalised values in NHWC (interleaved)', async () => {
    const t = await imageToTensor(await solidImage(30, 20, RGB as [number, number, number]), spec('NHWC'));
    expect(t.length).toBe(3 * 8 * 6);
    for (let i = 0; i < 48; i++) {
      expect([t[3 * i], t[3 * i + 1], t[3 * i + 2]]).toEqual([norm(RGB[0], 0), norm(RGB[1], 1), norm(RGB[2], 2)]);
    }
  });

  it('fills a batch slot at the given offset and leaves the rest alone', async () => {
    const s = spec('NCHW');
    const batch = new Float32Array(3 * tensorSize(s)).fill(42);
    const img = await solidImage(12, 9, [0, 0, 0]);
    const same = await imageToTensor(img, s, batch, tensorSize(s));
    expect(same).toBe(batch);
    expect(batch.subarray(0, tensorSize(s)).every((v) => v === 42)).toBe(true);
    expect(batch[tensorSize(s)]).toBe(norm(0, 0));
    expect(batch[2 * tensorSize(s) - 1]).toBe(norm(0, 2));
    expect(batch.subarray(2 * tensorSize(s)).every((v) => v === 42)).toBe(true);
  });

  it('refuses an output array that is too small', async () => {
    const img = await solidImage(12, 9, [0, 0, 0]);
    await expect(imageToTensor(img, spec('NCHW'), new Float32Array(10))).rejects.toThrow(RangeError);
  });

  it("'contain' letterboxes with black, 'cover' crops, 'fill' stretches", async () => {
    // 32x8 white strip into an 8x8 tensor.
    const strip = await sharp({ create: { width: 32, height: 8, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const square = { layout: 'NHWC' as const, width: 8, height: 8, channels: 3 as const, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };
    const contain = await imageToTensor(strip, { ...square, resize: 'contain' });
    const red = (t: Float32Array, x: number, y: number) => t[(y * 8 + x) * 3];
    expect(red(contain, 4, 0)).toBe(0); // top padding is black
    expect(red(contain, 4, 7)).toBe(0); // bottom padding is black
    expect(red(contain, 4, 4)).toBeGreaterThan(0.95); // the strip itself
    for (const resize of ['cover', 'fill'] as const) {
      const t = await imageToTensor(strip, { ...square, resize });
      expect(Math.min(...t)).toBeGreaterThan(0.95);
    }
  });

  it('uses the same decode rules (refuses non-images)', async () => {
    await expect(imageToTensor(Buffer.from('<svg/>'), spec('NCHW'))).rejects.toBeInstanceOf(ImageRejectedError);
  });

  it('validates the spec', async () => {
    const img = await solidImage(4, 4, [0, 0, 0]);
    await expect(imageToTensor(img, { ...spec('NCHW'), std: [0, 1, 1] })).rejects.toThrow(RangeError);
    await expect(imageToTensor(img, { ...spec('NCHW'), width: 0 })).rejects.toThrow(RangeError);
  });
});
