import sharp from 'sharp';
import { ImageRejectedError, decodeImage } from '@cataract/imaging';
import { solidImage, syntheticEye } from './synthetic';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ImageRejectedError);
    return (err as ImageRejectedError).code;
  }
  throw new Error('expected an ImageRejectedError, got success');
}

/** 40x20: left half red, right half blue. */
function halves(): ReturnType<typeof sharp> {
  const data = Buffer.alloc(40 * 20 * 3);
  for (let y = 0; y < 20; y++) {
    for (let x = 0; x < 40; x++) data.set(x < 20 ? [255, 0, 0] : [0, 0, 255], (y * 40 + x) * 3);
  }
  return sharp(data, { raw: { width: 40, height: 20, channels: 3 } });
}

const pixel = (img: { data: Buffer; width: number }, x: number, y: number) =>
  Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

describe('decodeImage', () => {
  it.each(['jpeg', 'png', 'webp'] as const)('decodes %s to RGB uint8', async (format) => {
    const img = await decodeImage(await solidImage(30, 20, [200, 100, 50], format));
    expect([img.width, img.height, img.channels, img.data.length]).toEqual([30, 20, 3, 30 * 20 * 3]);
    const [r, g, b] = pixel(img, 15, 10);
    expect(Math.abs(r - 200)).toBeLessThanOrEqual(3);
    expect(Math.abs(g - 100)).toBeLessThanOrEqual(3);
    expect(Math.abs(b - 50)).toBeLessThanOrEqual(3);
  });

  it('refuses a truncated JPEG', async () => {
    const jpeg = await syntheticEye({ size: 256, pupil: [10, 10, 10] });
    expect(await code(decodeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2))))).toBe('undecodable_image');
  });

  it('refuses a truncated PNG', async () => {
    const png = await syntheticEye({ size: 128, pupil: [10, 10, 10], format: 'png' });
    expect(await code(decodeImage(png.subarray(0, Math.floor(png.length * 0.6))))).toBe('undecodable_image');
  });

  it('refuses a JPEG whose tables are followed by garbage', async () => {
    const jpeg = await syntheticEye({ size: 128, pupil: [10, 10, 10] });
    // Cut inside the marker segments (before the first Huffman table ends), then pad with noise.
    const dht = jpeg.indexOf(Buffer.from([0xff, 0xc4]));
    expect(dht).toBeGreaterThan(0);
    let seed = 7;
    const noise = Buffer.alloc(4000, 0).map(() => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff);
    const garbage = Buffer.concat([jpeg.subarray(0, dht + 10), noise]);
    expect(await code(decodeImage(garbage))).toBe('undecodable_image');
  });

  it('refuses random bytes behind a JPEG signature', async () => {
    let seed = 11;
    const body = Buffer.alloc(2000, 0).map(() => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff);
    expect(await code(decodeImage(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), body])))).toBe('undecodable_image');
  });

  it('refuses formats outside the accepted list before decoding', async () => {
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).gif().toBuffer();
    expect(await code(decodeImage(gif))).toBe('unsupported_format');
  });

  it('applies the EXIF orientation (6 = rotate 90 degrees clockwise)', async () => {
    const rotated = await halves().jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    expect((await sharp(rotated).metadata()).orientation).toBe(6);
    const img = await decodeImage(rotated);
    expect([img.width, img.height]).toEqual([20, 40]);
    // The left (red) half ends up on top after a clockwise quarter turn.
    const top = pixel(img, 10, 5);
    const bottom = pixel(img, 10, 35);
    expect(top[0]).toBeGreaterThan(200);
    expect(top[2]).toBeLessThan(60);
    expect(bottom[2]).toBeGreaterThan(200);
    expect(bottom[0]).toBeLessThan(60);
  });

  it('flattens transparency onto black and always returns 3 channels', async () => {
    const rgba = await sharp({ create: { width: 4, height: 4, channels: 4, background: { r: 255, g: 255, b: 255, alpha: 0 } } })
      .png()
      .toBuffer();
    const img = await decodeImage(rgba);
    expect(img.channels).toBe(3);
    expect(Array.from(img.data)).toEqual(new Array(4 * 4 * 3).fill(0));
  });

  it('expands greyscale and reduces 16-bit PNGs to 8-bit RGB', async () => {
    const grey = Buffer.alloc(6 * 5, 77);
    const greyPng = await sharp(grey, { raw: { width: 6, height: 5, channels: 1 } }).png().toBuffer();
    const img = await decodeImage(greyPng);
    expect(img.data.length).toBe(6 * 5 * 3);
    expect(pixel(img, 2, 2)).toEqual([77, 77, 77]);

    const wide = await sharp({ create: { width: 6, height: 5, channels: 3, background: { r: 255, g: 128, b: 0 } } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(wide).metadata()).depth).toBe('ushort');
    const img16 = await decodeImage(wide);
    expect(img16.data.length).toBe(6 * 5 * 3);
    const [r, g, b] = pixel(img16, 3, 3);
    expect(r).toBe(255);
    expect(Math.abs(g - 128)).toBeLessThanOrEqual(1);
    expect(b).toBe(0);
  });
});
