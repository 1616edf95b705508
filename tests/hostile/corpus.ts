import { createDeflate } from 'node:zlib';
import type { ErrorCode } from '@cataract/contracts';
import sharp from 'sharp';
import type { UploadPart } from '@cataract/test-support/http';
import { jpegFrameHeader, PNG_SIGNATURE, pngChunk, pngIhdr } from './containers';
import { prng } from './prng';

/** What a hostile upload must get: a correct prediction (a valid if odd image) or one documented error. */
export type Expected = { status: 200 } | { status: 400 | 413 | 415; code: ErrorCode };

/** How a case reaches the gateway: a multipart form (as curl -F / a browser sends it) or a bare body. */
export type Send = { form: UploadPart[] } | { body?: Buffer; contentType?: string };

export interface HostileCase {
  name: string;
  send: Send;
  expect: Expected;
}

const file = (bytes: Buffer, filename: string, type = 'application/octet-stream'): Send => ({ form: [{ field: 'file', bytes, filename, type }] });
const ok: Expected = { status: 200 };
const unsupported: Expected = { status: 415, code: 'unsupported_format' };
const undecodable: Expected = { status: 415, code: 'undecodable_image' };
const tooManyPixels: Expected = { status: 415, code: 'too_many_pixels' };

/**
 * The named hostile uploads, all generated here from one real photo (nothing committed). The
 * table in tests/hostile/README.md documents each expectation; this is its executable form.
 */
export async function hostileCorpus(photo: Buffer, opts: { maxUploadBytes: number }): Promise<HostileCase[]> {
  const img = () => sharp(photo);
  const png = await img().png().toBuffer();
  const webp = await img().webp({ quality: 80 }).toBuffer();
  const gif = await img().resize(64).gif().toBuffer();
  const tiff = await img().resize(64).tiff().toBuffer();
  const solid = (w: number, h: number, channels: 1 | 3 | 4 = 3) => sharp({ create: { width: w, height: h, channels, background: { r: 120, g: 80, b: 60, alpha: 0.5 } } });
  const garbage = (n: number, seed: number) => {
    const r = prng(seed);
    return Buffer.from(Array.from({ length: n }, () => r.int(0, 256)));
  };

  return [
    // Not an image at all, whatever its name or declared type: refused by magic bytes (415).
    { name: 'empty file', send: file(Buffer.alloc(0), 'empty.jpg', 'image/jpeg'), expect: unsupported },
    { name: 'text file named .jpg', send: file(Buffer.from('this is not a photo\n'), 'photo.jpg', 'image/jpeg'), expect: unsupported },
    { name: 'SVG', send: file(Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="9000" height="9000"><circle r="4000"/></svg>'), 'eye.svg', 'image/svg+xml'), expect: unsupported },
    { name: 'SVG named .png', send: file(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'eye.png', 'image/png'), expect: unsupported },
    { name: 'HTML', send: file(Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>'), 'eye.html', 'text/html'), expect: unsupported },
    { name: 'PDF', send: file(minimalPdf(), 'eye.pdf', 'application/pdf'), expect: unsupported },
    { name: 'GIF', send: file(gif, 'eye.gif', 'image/gif'), expect: unsupported },
    { name: 'TIFF', send: file(tiff, 'eye.tiff', 'image/tiff'), expect: unsupported },
    { name: '50 KB of random bytes', send: file(garbage(50_000, 7), 'random.jpg', 'image/jpeg'), expect: unsupported },

    // Right magic bytes, broken inside: refused by the header check or the actor's decode (415).
    { name: 'PNG signature only', send: file(PNG_SIGNATURE, 'header-only.png', 'image/png'), expect: undecodable },
    { name: 'JPEG magic + random bytes', send: file(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), garbage(20_000, 8)]), 'x.jpg'), expect: undecodable },
    { name: 'truncated JPEG (first third)', send: file(photo.subarray(0, Math.floor(photo.length / 3)), 'truncated.jpg', 'image/jpeg'), expect: undecodable },
    { name: 'truncated JPEG (3000 bytes, named .png)', send: file(photo.subarray(0, 3000), 'truncated.png', 'image/png'), expect: undecodable },
    { name: 'truncated PNG (first third)', send: file(png.subarray(0, Math.floor(png.length / 3)), 'truncated.png', 'image/png'), expect: undecodable },
    // The frame claims 2000x2000 so 8 KB of junk scan data can never fill it, whatever the source photo's
    // size (junk that does fill a small frame decodes to junk pixels: a valid image).
    { name: 'JPEG headers + garbage scan', send: file(jpegHeadWithGarbage(forgeJpegSize(photo, 2000, 2000), garbage(8_000, 9)), 'garbage.jpg', 'image/jpeg'), expect: undecodable },
    { name: 'PNG IHDR + garbage IDAT', send: file(Buffer.concat([PNG_SIGNATURE, pngIhdr(640, 480, 8, 2), pngChunk('IDAT', garbage(20_000, 10)), pngChunk('IEND', Buffer.alloc(0))]), 'garbage.png', 'image/png'), expect: undecodable },

    // Decompression bombs: refused from the header's dimensions, before any pixel buffer exists (415).
    { name: '30000x30000 PNG bomb (~100 KB)', send: file(await pngBomb(30_000), 'bomb.png', 'image/png'), expect: tooManyPixels },
    { name: 'JPEG whose frame header claims 65000x65000', send: file(forgeJpegSize(photo, 65_000, 65_000), 'huge.jpg', 'image/jpeg'), expect: tooManyPixels },

    // Valid but unusual images: a correct prediction.
    { name: '1x1 PNG', send: file(await solid(1, 1).png().toBuffer(), 'dot.png', 'image/png'), expect: ok },
    { name: '1x1 JPEG', send: file(await solid(1, 1).jpeg().toBuffer(), 'dot.jpg', 'image/jpeg'), expect: ok },
    { name: 'WebP photo', send: file(webp, 'eye.webp', 'image/webp'), expect: ok },
    { name: 'PNG of the photo', send: file(png, 'eye.png', 'image/png'), expect: ok },
    { name: 'greyscale PNG', send: file(await img().greyscale().png().toBuffer(), 'grey.png', 'image/png'), expect: ok },
    { name: '16-bit RGBA PNG', send: file(await solid(50, 40, 4).png().toColourspace('rgb16').toBuffer(), 'deep.png', 'image/png'), expect: ok },
    { name: 'CMYK JPEG', send: file(await img().toColourspace('cmyk').jpeg().toBuffer(), 'cmyk.jpg', 'image/jpeg'), expect: ok },
    { name: 'progressive JPEG with EXIF orientation 6', send: file(await img().withMetadata({ orientation: 6 }).jpeg({ progressive: true }).toBuffer(), 'rotated.jpg', 'image/jpeg'), expect: ok },
    { name: 'JPEG with bytes after EOI', send: file(Buffer.concat([photo, garbage(4000, 11)]), 'trailing.jpg', 'image/jpeg'), expect: ok },
    { name: '3000x2 strip', send: file(await solid(3000, 2).png().toBuffer(), 'strip.png', 'image/png'), expect: ok },
    { name: 'photo with a lying .gif name and type', send: file(photo, 'eye.gif', 'image/gif'), expect: ok },
    { name: 'photo under field "image"', send: { form: [{ field: 'image', bytes: photo, filename: 'eye.jpg', type: 'image/jpeg' }] }, expect: ok },

    // Size and shape of the upload itself.
    { name: 'image over the upload limit', send: file(await noisePng(opts.maxUploadBytes), 'big.png', 'image/png'), expect: { status: 413, code: 'file_too_large' } },
    {
      name: 'two files in one request',
      send: { form: [{ field: 'file', bytes: photo, filename: 'a.jpg' }, { field: 'file', bytes: photo, filename: 'b.jpg' }] },
      expect: { status: 400, code: 'too_many_files' },
    },
    {
      name: 'one file under each accepted field',
      send: { form: [{ field: 'file', bytes: photo, filename: 'a.jpg' }, { field: 'image', bytes: photo, filename: 'b.jpg' }] },
      expect: { status: 400, code: 'too_many_files' },
    },
    { name: 'wrong field name', send: { form: [{ field: 'photo', bytes: photo, filename: 'a.jpg' }] }, expect: { status: 400, code: 'unexpected_field' } },
    { name: 'no body at all', send: {}, expect: { status: 400, code: 'no_file' } },
    { name: 'JSON instead of multipart', send: { body: Buffer.from('{"image":"aGVsbG8="}'), contentType: 'application/json' }, expect: { status: 400, code: 'no_file' } },
    { name: 'raw JPEG body (no multipart)', send: { body: photo, contentType: 'image/jpeg' }, expect: { status: 400, code: 'no_file' } },
    { name: 'multipart type without a boundary', send: { body: photo, contentType: 'multipart/form-data' }, expect: { status: 400, code: 'bad_request' } },
  ];
}

/** A 1-bit greyscale PNG of side x side zero pixels: ~100 KB on the wire, side^2 pixels decoded. */
async function pngBomb(side: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (d: Buffer) => out.push(d));
  const done = new Promise((resolve, reject) => deflate.on('end', resolve).on('error', reject));
  const row = Buffer.alloc(1 + Math.ceil(side / 8)); // filter byte + packed bits
  for (let y = 0; y < side; y++) {
    if (!deflate.write(row)) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await done;
  return Buffer.concat([PNG_SIGNATURE, pngIhdr(side, side, 1, 0), pngChunk('IDAT', Buffer.concat(out)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A real PNG of random pixels just over `limit` bytes (noise does not compress; level 0 keeps it fast). */
async function noisePng(limit: number): Promise<Buffer> {
  const side = Math.ceil(Math.sqrt(limit / 3)) + 16;
  const r = prng(12);
  const raw = Buffer.alloc(side * side * 3);
  for (let i = 0; i < raw.length; i += 4) raw.writeUInt32LE(Math.floor(r.next() * 2 ** 32), Math.min(i, raw.length - 4));
  const out = await sharp(raw, { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
  if (out.length <= limit) throw new Error(`noise PNG of ${out.length} bytes is not over the ${limit} byte limit`);
  return out;
}

function forgeJpegSize(jpeg: Buffer, width: number, height: number): Buffer {
  const sof = jpegFrameHeader(jpeg);
  if (sof < 0) throw new Error('photo has no JPEG frame header');
  const out = Buffer.from(jpeg);
  out.writeUInt16BE(height, sof + 5);
  out.writeUInt16BE(width, sof + 7);
  return out;
}

/** Everything of a real JPEG up to its scan, then garbage instead of entropy-coded data, no EOI. */
function jpegHeadWithGarbage(jpeg: Buffer, garbage: Buffer): Buffer {
  const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
  const headerEnd = sos + 2 + jpeg.readUInt16BE(sos + 2);
  // 0xff bytes would be read as markers; keep the garbage marker-free so only the decode can fail.
  return Buffer.concat([jpeg.subarray(0, headerEnd), Buffer.from(garbage.map((b) => (b === 0xff ? 0x00 : b)))]);
}

function minimalPdf(): Buffer {
  return Buffer.from(
    '%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n' +
      '3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n',
  );
}
