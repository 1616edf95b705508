import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { checkImageHeader, ImageRejectedError, probeImage } from '@cataract/imaging';
import { pngBomb, solidImage } from './synthetic';

const PHOTOS = resolve(__dirname, '..', '..', '..', '..', 'shared', 'data', 'cataract', 'train');
const maybe = existsSync(PHOTOS) ? describe : describe.skip;

function refusal(buf: Uint8Array, maxPixels?: number): string {
  try {
    checkImageHeader(buf, { maxPixels });
  } catch (err) {
    expect(err).toBeInstanceOf(ImageRejectedError);
    return (err as ImageRejectedError).code;
  }
  return 'accepted';
}

describe('checkImageHeader (probeImage from the container header, without libvips)', () => {
  const variants: Array<[string, () => Promise<Buffer>]> = [
    ['baseline JPEG', () => solidImage(37, 23, [200, 10, 10], 'jpeg')],
    ['progressive JPEG', () => sharp({ create: { width: 300, height: 41, channels: 3, background: '#123456' } }).jpeg({ progressive: true }).toBuffer()],
    ['greyscale JPEG', () => sharp({ create: { width: 64, height: 65, channels: 3, background: '#777' } }).greyscale().jpeg().toBuffer()],
    ['CMYK JPEG', () => sharp({ create: { width: 19, height: 300, channels: 3, background: '#a0b0c0' } }).toColourspace('cmyk').jpeg().toBuffer()],
    ['JPEG with EXIF orientation 6', () => sharp({ create: { width: 40, height: 30, channels: 3, background: '#0f0' } }).withMetadata({ orientation: 6 }).jpeg().toBuffer()],
    ['8-bit RGB PNG', () => solidImage(37, 23, [1, 2, 3], 'png')],
    ['16-bit RGBA PNG', () => sharp({ create: { width: 5, height: 1, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 0.5 } } }).png().toColourspace('rgb16').toBuffer()],
    ['palette PNG', () => sharp({ create: { width: 33, height: 17, channels: 3, background: '#f00' } }).png({ palette: true }).toBuffer()],
    ['interlaced PNG', () => sharp({ create: { width: 12, height: 99, channels: 3, background: '#00f' } }).png({ progressive: true }).toBuffer()],
    ['lossy WebP', () => solidImage(37, 23, [9, 8, 7], 'webp')],
    ['lossless WebP', () => sharp({ create: { width: 1000, height: 3, channels: 3, background: '#0ff' } }).webp({ lossless: true }).toBuffer()],
    ['WebP with alpha (VP8X)', () => sharp({ create: { width: 77, height: 55, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 0.3 } } }).webp().toBuffer()],
    ['1x1 PNG', () => solidImage(1, 1, [0, 0, 0], 'png')],
  ];
  it.each(variants)('reads the same format and size as sharp for a %s', async (_name, make) => {
    const buf = await make();
    expect(checkImageHeader(buf)).toEqual(await probeImage(buf));
  });

  it('refuses what probeImage refuses from the header, with the same codes', async () => {
    const jpeg = await solidImage(40, 30, [10, 20, 30], 'jpeg');
    const png = await solidImage(40, 30, [10, 20, 30], 'png');
    const cases: Array<[string, Buffer]> = [
      ['empty', Buffer.alloc(0)],
      ['text', Buffer.from('not an image at all')],
      ['gif', await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).gif().toBuffer()],
      ['svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')],
      ['png signature only', png.subarray(0, 8)],
      ['png cut inside IHDR', png.subarray(0, 20)],
      ['jpeg cut before its frame header', jpeg.subarray(0, 20)],
      ['jpeg magic only', Buffer.from([0xff, 0xd8, 0xff])],
      ['bomb', await pngBomb(30_000)],
    ];
    for (const [name, buf] of cases) {
      const viaSharp = await probeImage(buf).then(
        () => 'accepted',
        (err: ImageRejectedError) => err.code,
      );
      expect({ name, code: refusal(buf) }).toEqual({ name, code: viaSharp });
    }
  });

  it('agrees with probeImage on damaged headers (accepting what sharp accepts, refusing what it refuses)', async () => {
    const png = Buffer.from(await solidImage(40, 30, [10, 20, 30], 'png'));
    const jpeg = Buffer.from(await solidImage(40, 30, [10, 20, 30], 'jpeg'));
    const webp = Buffer.from(await solidImage(40, 30, [10, 20, 30], 'webp'));
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    const edit = (buf: Buffer, f: (b: Buffer) => void) => {
      const b = Buffer.from(buf);
      f(b);
      return b;
    };
    const cases: Array<[string, Buffer]> = [
      ['png IHDR CRC wrong', edit(png, (b) => (b[29] ^= 0xff))],
      ['png bit depth 3', edit(png, (b) => (b[24] = 3))],
      ['png colour type 5', edit(png, (b) => (b[25] = 5))],
      ['png width 0', edit(png, (b) => b.writeUInt32BE(0, 16))],
      ['png first chunk not IHDR', edit(png, (b) => b.write('IHDX', 12, 'latin1'))],
      ['jpeg width 0', edit(jpeg, (b) => b.writeUInt16BE(0, sof + 7))],
      ['jpeg 2 components', edit(jpeg, (b) => (b[sof + 9] = 2))],
      ['jpeg frame header cut', jpeg.subarray(0, sof + 6)],
      ['webp start code broken', edit(webp, (b) => (b[23] ^= 0xff))],
      ['webp unknown first chunk', edit(webp, (b) => b.write('VP9 ', 12, 'latin1'))],
    ];
    for (const [name, buf] of cases) {
      const viaSharp = await probeImage(buf).then(
        () => 'accepted',
        (err: ImageRejectedError) => err.code,
      );
      expect({ name, code: refusal(buf) }).toEqual({ name, code: viaSharp });
    }
  });

  it('applies the pixel limit to the header dimensions', async () => {
    const buf = await solidImage(100, 50, [1, 1, 1], 'jpeg');
    expect(refusal(buf, 4999)).toBe('too_many_pixels');
    expect(checkImageHeader(buf, { maxPixels: 5000 })).toEqual({ format: 'jpeg', width: 100, height: 50 });
  });
});

maybe('checkImageHeader on the training photos (skipped: ../shared/data/cataract/train absent)', () => {
  it('agrees with sharp on every photo', async () => {
    const files = ['cataract', 'normal'].flatMap((c) => readdirSync(join(PHOTOS, c)).map((f) => join(PHOTOS, c, f)));
    expect(files.length).toBeGreaterThan(100);
    for (const f of files) {
      const buf = readFileSync(f);
      expect({ f, probe: checkImageHeader(buf) }).toEqual({ f, probe: await probeImage(buf) });
    }
  });
});
