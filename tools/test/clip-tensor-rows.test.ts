import sharp from 'sharp';
import { imageToTensor, tensorSize } from '@cataract/imaging';
import { BACKBONE_INPUT } from '../src/clip/backbone';
import { exportRows } from '../src/clip/tensor-rows';

describe('exportRows (the clip input rows as bytes for tools/python)', () => {
  test('stores the clip spec tensor of a real image losslessly: byte / 255 gives back the tensor', async () => {
    const png = await sharp({ create: { width: 300, height: 180, channels: 3, background: { r: 12, g: 200, b: 77 } } })
      .composite([{ input: Buffer.from('<svg width="300" height="180"><circle cx="150" cy="90" r="60" fill="#d04010"/></svg>') }])
      .png()
      .toBuffer();
    const t = await imageToTensor(png, BACKBONE_INPUT);
    const bytes = exportRows([t, t], tensorSize(BACKBONE_INPUT));
    expect(bytes.length).toBe(2 * tensorSize(BACKBONE_INPUT));
    let worst = 0;
    for (let i = 0; i < t.length; i++) worst = Math.max(worst, Math.abs(bytes[i] / 255 - t[i]), Math.abs(bytes[t.length + i] / 255 - t[i]));
    expect(worst).toBeLessThan(1e-6);
    expect(new Set(bytes).size).toBeGreaterThan(2);
  });

  test('refuses values that are not v/255 for a byte v (another spec) and rows of the wrong size', () => {
    expect(() => exportRows([Float32Array.of(0.5, 1 / 255, 0)], 3)).toThrow(/not v\/255/);
    expect(() => exportRows([Float32Array.of(-1 / 255, 0, 0)], 3)).toThrow(/not v\/255/);
    expect(() => exportRows([Float32Array.of(0, 0)], 3)).toThrow(/expected 3/);
    expect(Array.from(exportRows([Float32Array.of(0, 1, 128 / 255)], 3))).toEqual([0, 255, 128]);
  });
});
