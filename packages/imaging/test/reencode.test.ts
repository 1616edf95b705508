import sharp from 'sharp';
import { downscaleReencode, probeImage } from '@cataract/imaging';
import { solidImage, syntheticEye } from './synthetic';

describe('downscaleReencode', () => {
  it('shrinks the long side to longSide and keeps the aspect ratio', async () => {
    const out = await downscaleReencode(await solidImage(600, 400, [40, 90, 200], 'png'), 300, 85);
    await expect(probeImage(out)).resolves.toEqual({ format: 'jpeg', width: 300, height: 200 });
  });

  it('handles portrait images by their long side', async () => {
    const out = await downscaleReencode(await solidImage(200, 500, [40, 90, 200]), 100, 85);
    await expect(probeImage(out)).resolves.toEqual({ format: 'jpeg', width: 40, height: 100 });
  });

  it('never enlarges', async () => {
    const out = await downscaleReencode(await solidImage(100, 50, [40, 90, 200], 'webp'), 300, 85);
    await expect(probeImage(out)).resolves.toEqual({ format: 'jpeg', width: 100, height: 50 });
  });

  it('re-encodes at the requested quality (lower quality, fewer bytes)', async () => {
    const eye = await syntheticEye({ size: 512, pupil: [10, 10, 10], format: 'png' });
    const hi = await downscaleReencode(eye, 256, 95);
    const lo = await downscaleReencode(eye, 256, 30);
    expect(lo.length).toBeLessThan(hi.length);
    const meta = await sharp(lo).metadata();
    expect([meta.width, meta.height]).toEqual([256, 256]);
  });

  it('validates its arguments', async () => {
    const img = await solidImage(10, 10, [0, 0, 0]);
    await expect(downscaleReencode(img, 0, 80)).rejects.toThrow(RangeError);
    await expect(downscaleReencode(img, 64, 101)).rejects.toThrow(RangeError);
  });
});
