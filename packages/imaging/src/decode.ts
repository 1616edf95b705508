import { DecodeLimits } from './probe';
import { openImage, toRgb8 } from './pipeline';

export interface DecodedImage {
  /** RGB uint8, row-major, no padding. */
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

/** Full decode: EXIF auto-orient, sRGB, 3 channels; truncated or corrupt data throws ImageRejectedError. */
export async function decodeImage(buf: Buffer, opts: DecodeLimits = {}): Promise<DecodedImage> {
  const { image } = await openImage(buf, opts);
  const { data, width, height } = await toRgb8(image);
  return { data, width, height, channels: 3 };
}
