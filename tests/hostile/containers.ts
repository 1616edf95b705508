import { crc32 } from 'node:zlib';

/**
 * Just enough of the PNG and JPEG container layouts to build hostile files by hand (forged headers,
 * bombs) and to mutate real photos structurally (swap or drop whole chunks / segments).
 */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface Span {
  start: number;
  end: number;
}

export function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

export function pngIhdr(width: number, height: number, bitDepth: number, colourType: number): Buffer {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(width, 0);
  d.writeUInt32BE(height, 4);
  d[8] = bitDepth;
  d[9] = colourType;
  return pngChunk('IHDR', d);
}

/** Chunks of a PNG (length + type + data + CRC each), after the signature; stops at anything malformed. */
export function pngChunks(png: Buffer): Span[] {
  const spans: Span[] = [];
  let p = PNG_SIGNATURE.length;
  while (p + 12 <= png.length) {
    const end = p + 12 + png.readUInt32BE(p);
    if (end > png.length) break;
    spans.push({ start: p, end });
    p = end;
  }
  return spans;
}

/** Marker segments of a JPEG before its entropy-coded scan (APPn, DQT, SOFn, DHT, ...), plus the scan as one span. */
export function jpegSegments(jpeg: Buffer): Span[] {
  const spans: Span[] = [];
  let p = 2; // after SOI
  while (p + 4 <= jpeg.length && jpeg[p] === 0xff) {
    const marker = jpeg[p + 1];
    const end = p + 2 + jpeg.readUInt16BE(p + 2);
    if (end > jpeg.length) break;
    if (marker === 0xda) {
      spans.push({ start: p, end: jpeg.length - 2 }); // SOS through the scan, up to EOI
      break;
    }
    spans.push({ start: p, end });
    p = end;
  }
  return spans;
}

/** Offset of the first SOFn (frame header: precision, height, width) segment, or -1. */
export function jpegFrameHeader(jpeg: Buffer): number {
  for (const s of jpegSegments(jpeg)) {
    const m = jpeg[s.start + 1];
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return s.start;
  }
  return -1;
}

/** Swap two non-overlapping spans (a before b) of buf. */
export function swapSpans(buf: Buffer, a: Span, b: Span): Buffer {
  return Buffer.concat([
    buf.subarray(0, a.start),
    buf.subarray(b.start, b.end),
    buf.subarray(a.end, b.start),
    buf.subarray(a.start, a.end),
    buf.subarray(b.end),
  ]);
}

export function dropSpan(buf: Buffer, s: Span): Buffer {
  return Buffer.concat([buf.subarray(0, s.start), buf.subarray(s.end)]);
}
