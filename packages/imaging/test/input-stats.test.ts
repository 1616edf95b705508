import {
  LGBM_STATS_VIEW,
  TensorSpec,
  decodeWorkingImage,
  imageToTensor,
  inputStatsOfImage,
  inputStatsOfRgb,
  inputStatsOfTensor,
  sourceSizeOf,
  statsViewOfTensorSpec,
  tensorSize,
} from '@cataract/imaging';
import { solidImage, syntheticEye } from './synthetic';

function filled(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgb.set(pixel(x, y), (y * width + x) * 3);
  return rgb;
}

describe('inputStatsOfRgb', () => {
  it('a flat grey view: brightness is its value, no colour, no sharpness; long_side is the source long side', () => {
    const s = inputStatsOfRgb(filled(8, 6, () => [100, 100, 100]), 8, 6, { width: 300, height: 1200 });
    expect(s.long_side).toBe(1200);
    expect(s.brightness).toBeCloseTo(100, 9);
    expect(s.colourfulness).toBeCloseTo(0, 9);
    expect(s.sharpness).toBeCloseTo(0, 9);
  });

  it('a black/white checkerboard: every interior Laplacian is +-4 x 255, so its variance is 1020^2', () => {
    const s = inputStatsOfRgb(filled(10, 10, (x, y) => ((x + y) % 2 ? [255, 255, 255] : [0, 0, 0])), 10, 10, { width: 10, height: 10 });
    expect(s.sharpness).toBeCloseTo(1020 * 1020, 6);
    expect(s.brightness).toBeCloseTo(127.5, 9);
  });

  it('pure red: Hasler-Suesstrunk colourfulness is 0.3 x |(rg, yb)| = 0.3 x |(255, 127.5)|', () => {
    const s = inputStatsOfRgb(filled(5, 5, () => [255, 0, 0]), 5, 5, { width: 5, height: 5 });
    expect(s.colourfulness).toBeCloseTo(0.3 * Math.hypot(255, 127.5), 9);
    expect(s.brightness).toBeCloseTo(0.299 * 255, 9);
  });

  it('refuses a buffer of the wrong length, a view under 3x3 and a bad source size', () => {
    expect(() => inputStatsOfRgb(new Uint8Array(10), 4, 4, { width: 4, height: 4 })).toThrow(RangeError);
    expect(() => inputStatsOfRgb(new Uint8Array(2 * 2 * 3), 2, 2, { width: 4, height: 4 })).toThrow(RangeError);
    expect(() => inputStatsOfRgb(new Uint8Array(27), 3, 3, { width: 0, height: 4 })).toThrow(RangeError);
  });
});

describe('serving and reference measure the same pixels', () => {
  it('the lgbm view decodes exactly as the feature extractor does', async () => {
    const buf = await syntheticEye({ size: 300, pupil: [180, 180, 170] });
    const viaView = await inputStatsOfImage(buf, LGBM_STATS_VIEW);
    const working = await decodeWorkingImage(buf);
    expect(inputStatsOfRgb(working, LGBM_STATS_VIEW.width, LGBM_STATS_VIEW.height, sourceSizeOf(buf))).toEqual(viaView);
    expect(viaView.long_side).toBe(300);
  });

  it.each(['NHWC', 'NCHW'] as const)('an image read back from a normalised %s tensor slot gives the decoded view\'s statistics', async (layout) => {
    const spec: TensorSpec = { layout, width: 40, height: 30, channels: 3, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], resize: 'fill' };
    const buf = await syntheticEye({ size: 97, pupil: [20, 20, 20] });
    const offset = tensorSize(spec); // the second slot of a batch of two
    const tensor = await imageToTensor(buf, spec, new Float32Array(2 * offset), offset);
    const fromTensor = inputStatsOfTensor(tensor, offset, spec, sourceSizeOf(buf));
    const fromView = await inputStatsOfImage(buf, statsViewOfTensorSpec(spec));
    for (const k of Object.keys(fromView) as Array<keyof typeof fromView>) expect(fromTensor[k]).toBeCloseTo(fromView[k], 9);
  });

  it('a brighter photo of the same scene measures brighter', async () => {
    const dark = await inputStatsOfImage(await solidImage(64, 48, [40, 40, 40]), LGBM_STATS_VIEW);
    const light = await inputStatsOfImage(await solidImage(64, 48, [200, 200, 200]), LGBM_STATS_VIEW);
    expect(light.brightness).toBeGreaterThan(dark.brightness + 100);
    expect(dark.long_side).toBe(64);
  });
});
