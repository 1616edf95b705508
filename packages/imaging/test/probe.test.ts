import sharp from 'sharp';
import { ACCEPTED_FORMATS, DEFAULT_MAX_PIXELS, ImageRejectedError, decodeImage, probeImage } from '@cataract/imaging';
import { pngBomb, solidImage } from './synthetic';

async function rejection(p: Promise<unknown>): Promise<ImageRejectedError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ImageRejectedError);
    return err as ImageRejectedError;
  }
  throw new Error('expected an ImageRejectedError, got success');
}

const base = () => sharp({ create: { width: 24, height: 16, channels: 3, background: '#3366cc' } });

describe('probeImage', () => {
  it('exports the documented limits', () => {
    expect(ACCEPTED_FORMATS).toEqual(['jpeg', 'png', 'webp']);
    expect(DEFAULT_MAX_PIXELS).toBe(40_000_000);
  });

  it.each(['jpeg', 'png', 'webp'] as const)('accepts %s and reports its size', async (format) => {
    const buf = await solidImage(24, 16, [10, 20, 30], format);
    await expect(probeImage(buf)).resolves.toEqual({ format, width: 24, height: 16 });
  });

  const refused: [string, () => Promise<Buffer>][] = [
    ['gif', () => base().gif().toBuffer()],
    ['tiff', () => base().tiff().toBuffer()],
    ['avif/heif', () => base().avif().toBuffer()],
    ['svg', async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>')],
    ['pdf', async () => Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n')],
    ['html', async () => Buffer.from('<!doctype html><html><body><img src=x></body></html>')],
    ['plain text', async () => Buffer.from('just some text, not an image')],
    ['empty buffer', async () => Buffer.alloc(0)],
  ];
  it.each(refused)('refuses %s as unsupported_format', async (_name, make) => {
    const err = await rejection(probeImage(await make()));
    expect(err.code).toBe('unsupported_format');
  });

  it('refuses a header-only JPEG it cannot read as undecodable_image', async () => {
    const err = await rejection(probeImage(Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x01, 0x02])));
    expect(err.code).toBe('undecodable_image');
  });

  it('refuses a 30000x30000 PNG bomb from its header (probe and decode)', async () => {
    const bomb = await pngBomb(30000);
    // A real bomb: ~110 KB that declares 900 Mpx.
    expect(bomb.length).toBeLessThan(200_000);
    const meta = await sharp(bomb, { limitInputPixels: false }).metadata();
    expect([meta.width, meta.height]).toEqual([30000, 30000]);
    expect((await rejection(probeImage(bomb))).code).toBe('too_many_pixels');
    expect((await rejection(decodeImage(bomb))).code).toBe('too_many_pixels');
  });

  it('applies a custom maxPixels', async () => {
    const buf = await solidImage(100, 100, [1, 2, 3]);
    await expect(probeImage(buf, { maxPixels: 10_000 })).resolves.toMatchObject({ width: 100 });
    expect((await rejection(probeImage(buf, { maxPixels: 9_999 }))).code).toBe('too_many_pixels');
  });
});
