import sharp from 'sharp';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDeflate } from 'node:zlib';

export type Rgb = readonly [number, number, number];

export interface EyeOptions {
  size: number;
  /** Pupil colour: near black for a healthy eye, grey/white for a cloudy lens. */
  pupil: Rgb;
  format?: 'jpeg' | 'png' | 'webp';
}

const IRIS: Rgb = [120, 80, 50];
const SCLERA: Rgb = [235, 228, 222];

/**
 * A synthetic external-eye photo: pupil disk (r < 0.18 of half side) on a striped iris
 * (r < 0.42) on a sclera. Geometry is resolution-free (2x2 supersampled), so the same eye can be
 * rendered at any size.
 */
export async function syntheticEye({ size, pupil, format = 'jpeg' }: EyeOptions): Promise<Buffer> {
  const data = Buffer.alloc(size * size * 3);
  const half = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const acc = [0, 0, 0];
      for (const [sx, sy] of [[0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]]) {
        const dx = (x + sx - half) / half;
        const dy = (y + sy - half) / half;
        const r = Math.sqrt(dx * dx + dy * dy);
        let c: Rgb;
        if (r < 0.18) c = pupil;
        else if (r < 0.42) {
          // Radial stripes: iris texture that looks the same at every resolution.
          const k = 0.8 + 0.2 * Math.sin(16 * Math.atan2(dy, dx));
          c = [IRIS[0] * k, IRIS[1] * k, IRIS[2] * k];
        } else c = SCLERA;
        for (let ch = 0; ch < 3; ch++) acc[ch] += c[ch] / 4;
      }
      data.set(acc.map(Math.round), (y * size + x) * 3);
    }
  }
  return encode(sharp(data, { raw: { width: size, height: size, channels: 3 } }), format);
}

export async function solidImage(width: number, height: number, rgb: Rgb, format: 'jpeg' | 'png' | 'webp' = 'png'): Promise<Buffer> {
  const img = sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  return encode(img, format);
}

function encode(img: ReturnType<typeof sharp>, format: 'jpeg' | 'png' | 'webp'): Promise<Buffer> {
  if (format === 'png') return img.png().toBuffer();
  if (format === 'webp') return img.webp({ quality: 95 }).toBuffer();
  return img.jpeg({ quality: 95 }).toBuffer();
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, body: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([len, typed, crc]);
}

/**
 * A valid 1-bit greyscale PNG of side x side pixels, all zero: a decompression bomb. Rows are
 * streamed through zlib so the test never holds the decoded size in memory. Deflate tops out
 * near 1032:1, so a 30000 x 30000 bomb (~112 MB of scanlines) is ~110 KB on disk.
 */
export async function pngBomb(side: number): Promise<Buffer> {
  const rowBytes = 1 + Math.ceil(side / 8); // filter byte + packed bits
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const rowsPerChunk = 256;
  const chunk = Buffer.alloc(rowBytes * rowsPerChunk);
  async function* rows() {
    for (let done = 0; done < side; done += rowsPerChunk) {
      yield done + rowsPerChunk <= side ? chunk : chunk.subarray(0, rowBytes * (side - done));
    }
  }
  const parts: Buffer[] = [];
  const deflate = createDeflate({ level: 9 });
  deflate.on('data', (b: Buffer) => parts.push(b));
  await pipeline(Readable.from(rows()), deflate);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.concat(parts)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
