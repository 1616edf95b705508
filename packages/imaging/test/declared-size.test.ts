import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { checkImageHeader, decodeCostUnits, decodeImage, extractLgbmFeatures, ImageRejectedError, imageToTensor, type TensorSpec } from '@cataract/imaging';

const PHOTOS = resolve(__dirname, '..', '..', '..', '..', 'shared', 'data', 'cataract', 'train');

/** A copy of a JPEG whose frame header (SOF) declares width x height over the original data. */
function withDeclaredSize(jpeg: Buffer, width: number, height: number): Buffer {
  const b = Buffer.from(jpeg);
  for (let i = 2; i + 9 < b.length; ) {
    const marker = b[i + 1];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      b.writeUInt16BE(height, i + 5);
      b.writeUInt16BE(width, i + 7);
      return b;
    }
    i += 2 + b.readUInt16BE(i + 2);
  }
  throw new Error('no frame header');
}

const photo = () =>
  sharp({ create: { width: 320, height: 240, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 120, sigma: 40 } } })
    .jpeg({ quality: 85 })
    .toBuffer();

async function code(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(ImageRejectedError);
    return (err as ImageRejectedError).code;
  }
}

describe('images whose header declares more than their data holds', () => {
  it('refuses, from the header, a 6000x6000 JPEG frame over a small photo’s data', async () => {
    const small = await photo();
    const forged = withDeclaredSize(small, 6000, 6000);
    expect(await code(() => checkImageHeader(forged))).toBe('undecodable_image');
    expect(() => checkImageHeader(forged)).toThrow(/declares 6000x6000.*bytes of image data/);
    expect(await code(() => decodeImage(forged))).toBe('undecodable_image');
    expect(checkImageHeader(small)).toEqual({ format: 'jpeg', width: 320, height: 240 });
  });

  it('refuses at decode a forged frame the header bound lets through: the data ends early', async () => {
    const forged = withDeclaredSize(await photo(), 1280, 960); // 4x the area: within the 1-bit-per-block bound
    expect(await code(() => checkImageHeader(forged))).toBe('accepted');
    const spec: TensorSpec = { layout: 'NCHW', width: 224, height: 224, channels: 3, mean: [0, 0, 0], std: [1, 1, 1], resize: 'cover' };
    const decodes: Array<() => Promise<unknown>> = [() => decodeImage(forged), () => imageToTensor(forged, spec), () => extractLgbmFeatures(forged)];
    for (const decode of decodes) {
      const err = await decode().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImageRejectedError);
      expect((err as ImageRejectedError).code).toBe('undecodable_image');
      expect((err as Error).message).toMatch(/ends before the 1280x960 image its header declares/);
    }
  });

  it('refuses a PNG whose IHDR declares more rows than its compressed data could hold', async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#345' } }).png().toBuffer();
    const forged = Buffer.from(png);
    forged.writeUInt32BE(5000, 16);
    forged.writeUInt32BE(5000, 20);
    expect(await code(() => checkImageHeader(forged))).toBe('undecodable_image');
  });

  it('accepts genuine files at the formats’ extremes: a flat 6300x6300 PNG at zlib level 9, a flat progressive 4000x3000 JPEG', async () => {
    const flatPng = await sharp({ create: { width: 6300, height: 6300, channels: 3, background: { r: 120, g: 60, b: 40 } } }).png({ compressionLevel: 9 }).toBuffer();
    expect(checkImageHeader(flatPng)).toEqual({ format: 'png', width: 6300, height: 6300 });
    const flatJpeg = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#777' } }).jpeg({ progressive: true, quality: 50 }).toBuffer();
    expect(checkImageHeader(flatJpeg)).toEqual({ format: 'jpeg', width: 4000, height: 3000 });
    expect((await decodeImage(flatJpeg)).width).toBe(4000);
  });

  (existsSync(PHOTOS) ? it : it.skip)(`accepts and decodes every training photo${existsSync(PHOTOS) ? '' : ' (skipped: ../shared photos absent)'}`, async () => {
    for (const label of readdirSync(PHOTOS)) {
      for (const file of readdirSync(join(PHOTOS, label))) {
        const buf = readFileSync(join(PHOTOS, label, file));
        expect({ file, code: await code(() => decodeImage(buf)) }).toEqual({ file, code: 'accepted' });
      }
    }
  });
});

describe('decodeCostUnits (what an image costs to decode, from its header)', () => {
  it('counts what the decoder produces: JPEG and WebP shrink while loading, PNG does not', () => {
    expect(decodeCostUnits({ format: 'jpeg', width: 512, height: 512 })).toBe(1);
    expect(decodeCostUnits({ format: 'jpeg', width: 4000, height: 3000 })).toBe(1);
    expect(decodeCostUnits({ format: 'jpeg', width: 6300, height: 6300 })).toBe(4);
    expect(decodeCostUnits({ format: 'webp', width: 6300, height: 6300 })).toBe(4);
    expect(decodeCostUnits({ format: 'png', width: 6300, height: 6300 })).toBe(43);
    expect(decodeCostUnits({ format: 'png', width: 600, height: 500 })).toBe(1);
    expect(decodeCostUnits({ format: 'png', width: 2000, height: 2000 })).toBe(5);
  });
});
