import type { AcceptedFormat } from './formats';

/**
 * Whether a file carries enough data for the size its header declares: a header can claim
 * 6000x6000 over a small photo's data, and the decoder then pads the missing rows instead of
 * failing. These bounds follow from the formats themselves, so no genuine file falls below them:
 *  - Huffman-coded JPEG: every 8x8 block of the first component is coded with at least one bit
 *    (its DC difference; a baseline block also needs an end-of-block code, and progressive DC
 *    scans code every block too), so the file has at least ceil(w/8) * ceil(h/8) / 8 bytes.
 *    Arithmetic-coded frames (SOF9-SOF15, rare) can code a flat block in less and are not bounded.
 *  - PNG: deflate emits at most 258 bytes per length/distance pair of at least two bits, so the
 *    IDAT data is at least the filtered raw size / 1032.
 *  - WebP: its lossless coder has no such bound; left to the decoder.
 * Returns the reason the data is too short, or undefined when it is plausible.
 */
export function declaredSizeMismatch(format: AcceptedFormat, buf: Uint8Array, width: number, height: number): string | undefined {
  if (format === 'jpeg') {
    if (jpegIsArithmetic(buf)) return undefined;
    const minBytes = Math.ceil((Math.ceil(width / 8) * Math.ceil(height / 8)) / 8);
    return buf.length < minBytes ? tooShort(width, height, buf.length, minBytes) : undefined;
  }
  if (format === 'png') {
    const png = pngLayout(buf);
    if (png === undefined) return undefined; // the header check already refused what it cannot read
    const rowBytes = 1 + Math.ceil((width * png.bitsPerPixel) / 8);
    const minBytes = Math.ceil((rowBytes * height) / 1032);
    return png.idatBytes < minBytes ? tooShort(width, height, png.idatBytes, minBytes) : undefined;
  }
  return undefined;
}

const tooShort = (w: number, h: number, have: number, need: number) =>
  `the header declares ${w}x${h} pixels but the file holds ${have} bytes of image data, fewer than the ${need} such an image needs`;

/** The first frame header is SOF9-SOF15 (arithmetic coding). */
function jpegIsArithmetic(b: Uint8Array): boolean {
  let i = 2;
  while (i + 3 < b.length) {
    if (b[i] !== 0xff) return false;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return marker >= 0xc9;
    if (marker === 0xda || marker === 0xd9) return false;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    i += 2 + ((b[i + 2] << 8) | b[i + 3]);
  }
  return false;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Bits per pixel (from IHDR) and the summed length of the IDAT chunks present. */
function pngLayout(b: Uint8Array): { bitsPerPixel: number; idatBytes: number } | undefined {
  if (b.length < 33) return undefined;
  const u32 = (i: number) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
  const channels = CHANNELS[b[25]];
  if (channels === undefined) return undefined;
  let idatBytes = 0;
  for (let i = 8; i + 8 <= b.length; ) {
    const length = u32(i);
    const type = String.fromCharCode(b[i + 4], b[i + 5], b[i + 6], b[i + 7]);
    if (type === 'IDAT') idatBytes += Math.min(length, b.length - i - 8);
    if (type === 'IEND') break;
    i += 12 + length;
  }
  return { bitsPerPixel: b[24] * channels, idatBytes };
}
