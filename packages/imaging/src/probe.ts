import sharp from 'sharp';
import { ImageRejectedError } from './errors';
import { AcceptedFormat, DEFAULT_MAX_PIXELS, sniffFormat } from './formats';

export interface ImageProbe {
  format: AcceptedFormat;
  width: number;
  height: number;
}

export interface DecodeLimits {
  /** Refuse images whose width * height exceeds this (default DEFAULT_MAX_PIXELS). */
  maxPixels?: number;
}

/**
 * Cheap header check: magic bytes, then sharp metadata (no pixel decode). Refuses other formats,
 * unreadable headers and decompression bombs before anything allocates a pixel buffer.
 */
export async function probeImage(buf: Buffer, opts: DecodeLimits = {}): Promise<ImageProbe> {
  const maxPixels = resolveMaxPixels(opts);
  const sniffed = sniffFormat(buf);
  if (!sniffed) {
    throw new ImageRejectedError('unsupported_format', 'only JPEG, PNG and WebP images are accepted');
  }
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>["metadata"]>>;
  try {
    // metadata() reads the header only; lift sharp's own pixel limit here so a bomb is reported
    // as too_many_pixels with its real dimensions below instead of a generic sharp failure.
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ImageRejectedError('undecodable_image', `cannot read ${sniffed} header: ${errorText(err)}`, { cause: err });
  }
  if (meta.format !== sniffed) {
    throw new ImageRejectedError('undecodable_image', `bytes look like ${sniffed} but decode as ${meta.format}`);
  }
  const { width, height } = meta;
  if (!(width > 0 && height > 0)) {
    throw new ImageRejectedError('undecodable_image', `${sniffed} header has no usable dimensions`);
  }
  if (width * height > maxPixels) {
    throw new ImageRejectedError(
      'too_many_pixels',
      `image is ${width}x${height} (${width * height} pixels), limit is ${maxPixels}`,
    );
  }
  return { format: sniffed, width, height };
}

export function resolveMaxPixels(opts: DecodeLimits): number {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!Number.isInteger(maxPixels) || maxPixels <= 0) {
    throw new RangeError(`maxPixels must be a positive integer, got ${maxPixels}`);
  }
  return maxPixels;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
