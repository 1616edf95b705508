import { declaredSizeMismatch } from './declared-size';
import { ImageRejectedError } from './errors';
import { AcceptedFormat, sniffFormat } from './formats';
import { DecodeLimits, ImageProbe, resolveMaxPixels } from './probe';

/**
 * probeImage's contract (magic bytes, dimensions from the header, pixel limit; same codes) read in
 * JavaScript from the container headers alone: JPEG frame header, PNG IHDR, WebP VP8/VP8L/VP8X.
 * It also refuses a header that declares more pixels than the file's data can hold (declared-size.ts).
 * For the gateway, which checks every upload before queuing it: probeImage (sharp's metadata())
 * costs about 0.22 ms of CPU and a thread-pool round trip per call, this about 1 microsecond
 * (`node bench/load/micro/header-check-cost.mjs`). It validates less than libvips does (a header it accepts may still fail to
 * decode), so the actor, which decodes, still refuses such files with the same undecodable_image code.
 */
export function checkImageHeader(buf: Uint8Array, opts: DecodeLimits = {}): ImageProbe {
  const maxPixels = resolveMaxPixels(opts);
  const format = sniffFormat(buf);
  if (!format) throw new ImageRejectedError('unsupported_format', 'only JPEG, PNG and WebP images are accepted');
  const size = READERS[format](buf);
  if (typeof size === 'string') throw new ImageRejectedError('undecodable_image', `cannot read ${format} header: ${size}`);
  const { width, height } = size;
  if (width * height > maxPixels) {
    throw new ImageRejectedError('too_many_pixels', `image is ${width}x${height} (${width * height} pixels), limit is ${maxPixels}`);
  }
  const mismatch = declaredSizeMismatch(format, buf, width, height);
  if (mismatch) throw new ImageRejectedError('undecodable_image', mismatch);
  return { format, width, height };
}

type Size = { width: number; height: number } | string;

const READERS: Record<AcceptedFormat, (b: Uint8Array) => Size> = { jpeg: jpegSize, png: pngSize, webp: webpSize };

const u16be = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
const u32be = (b: Uint8Array, i: number) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
const u24le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const ascii = (b: Uint8Array, i: number, n: number) => String.fromCharCode(...b.subarray(i, i + n));

/** Walks the marker segments up to the first frame header (SOF0..SOF15 except DHT, JPG, DAC). */
function jpegSize(b: Uint8Array): Size {
  let i = 2; // after SOI
  while (i < b.length) {
    if (b[i] !== 0xff) return `expected a marker at byte ${i}`;
    while (i < b.length && b[i] === 0xff) i++; // fill bytes
    if (i >= b.length) break;
    const marker = b[i];
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i++; // standalone markers carry no length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return 'no frame header before the image data';
    if (i + 2 >= b.length) break;
    const length = u16be(b, i + 1);
    if (length < 2) return `segment of length ${length}`;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (length < 8 || i + 8 >= b.length) break;
      const height = u16be(b, i + 4);
      const width = u16be(b, i + 6);
      const components = b[i + 8];
      if (width === 0 || height === 0) return `frame of ${width}x${height}`;
      if (components !== 1 && components !== 3 && components !== 4) return `${components} colour components`;
      return { width, height };
    }
    i += 1 + length;
  }
  return 'truncated before the frame header';
}

const PNG_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

/** The IHDR chunk, which the PNG specification puts first (its CRC is not checked: sharp ignores it too). */
function pngSize(b: Uint8Array): Size {
  if (b.length < 33) return 'truncated before the end of IHDR';
  if (u32be(b, 8) !== 13 || ascii(b, 12, 4) !== 'IHDR') return 'the first chunk is not a 13-byte IHDR';
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  const depth = b[24];
  const colourType = b[25];
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) return `image of ${width}x${height}`;
  if (!PNG_DEPTHS[colourType]?.includes(depth)) return `bit depth ${depth} with colour type ${colourType}`;
  if (b[26] !== 0 || b[27] !== 0 || b[28] > 1) return 'unknown compression, filter or interlace method';
  return { width, height };
}

/** The first chunk after RIFF/WEBP: VP8X (canvas), VP8 (lossy key frame) or VP8L (lossless). */
function webpSize(b: Uint8Array): Size {
  if (b.length < 30) return 'truncated before the first chunk';
  const chunk = ascii(b, 12, 4);
  const d = 20; // chunk data
  if (chunk === 'VP8X') return { width: u24le(b, d + 4) + 1, height: u24le(b, d + 7) + 1 };
  if (chunk === 'VP8 ') {
    if (b[d + 3] !== 0x9d || b[d + 4] !== 0x01 || b[d + 5] !== 0x2a) return 'VP8 key frame start code missing';
    const width = (b[d + 6] | (b[d + 7] << 8)) & 0x3fff;
    const height = (b[d + 8] | (b[d + 9] << 8)) & 0x3fff;
    return width && height ? { width, height } : `frame of ${width}x${height}`;
  }
  if (chunk === 'VP8L') {
    if (b[d] !== 0x2f) return 'VP8L signature missing';
    const bits = (b[d + 1] | (b[d + 2] << 8) | (b[d + 3] << 16) | (b[d + 4] << 24)) >>> 0;
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  return `unknown first chunk ${JSON.stringify(chunk)}`;
}
