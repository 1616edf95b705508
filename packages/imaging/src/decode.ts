import { DecodeLimits } from './probe';
import { decodeRgb } from './pipeline';

export interface DecodedImage {
  /** RGB uint8, row-major, no padding. */
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

/** Full decode: EXIF auto-orient, sRGB, 3 channels; truncated or corrupt data throws ImageRejectedError. */
export async function decodeImage(buf: Buffer, opts: DecodeLimits = {}): Promise<DecodedImage> {
  const { data, width, height } = await decodeRgb(buf, opts);
  return { data, width, height, channels: 3 };
}
