import sharp from 'sharp';
import { asSent, makeVariants } from '../src/eval/variants';

async function photo(width: number, height: number, orientation?: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 37) % 251;
  const img = sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 });
  return (orientation ? img.withMetadata({ orientation }) : img).toBuffer();
}

describe('makeVariants', () => {
  test('the photo as sent untouched, PNG and JPEG q90 of the same size, half size', async () => {
    const bytes = await photo(120, 80);
    const v = await makeVariants(bytes);
    expect(v.map((x) => x.name)).toEqual(['original', 'png', 'jpeg90', 'half']);
    expect(v[0].bytes).toBe(bytes);
    expect(v[0].mimeType).toBe('image/jpeg');
    const meta = await Promise.all(v.map((x) => sharp(x.bytes).metadata()));
    expect(meta.map((m) => [m.format, m.width, m.height])).toEqual([
      ['jpeg', 120, 80],
      ['png', 120, 80],
      ['jpeg', 120, 80],
      ['png', 60, 40],
    ]);
    expect(v[2].bytes.equals(bytes)).toBe(false);
  });

  test('PNG is lossless: the same pixels as the decoded photo', async () => {
    const bytes = await photo(40, 30);
    const [png] = await makeVariants(bytes, ['png']);
    const a = await sharp(bytes).raw().toBuffer();
    const b = await sharp(png.bytes).removeAlpha().raw().toBuffer();
    expect(b.equals(a)).toBe(true);
  });

  test('EXIF orientation is applied first, so every form is upright and half of the upright width', async () => {
    const bytes = await photo(120, 80, 6); // stored 120x80, shown turned a quarter: 80x120
    const v = await makeVariants(bytes, ['png', 'half']);
    const [png, half] = await Promise.all(v.map((x) => sharp(x.bytes).metadata()));
    expect([png.width, png.height]).toEqual([80, 120]);
    expect([half.width, half.height]).toEqual([40, 60]);
  });

  test('an unreadable file has no variants, but is still sent as it is (the service says why it refuses it)', async () => {
    await expect(makeVariants(Buffer.from('not an image'))).rejects.toThrow(/unsupported image format/i);
    const sent = await asSent(Buffer.from('not an image'));
    expect([sent.mimeType, sent.bytes.toString()]).toEqual(['application/octet-stream', 'not an image']);
  });
});
