import sharp from 'sharp';
import { ImageRejectedError } from './errors';
import { checkImageHeader } from './header';
import { DecodeLimits, ImageProbe, errorText, resolveMaxPixels } from './probe';

/** sharp's pipeline type (its .d.mts types are not namespace-importable under node10 resolution). */
export type SharpPipeline = ReturnType<typeof sharp>;

/**
 * The single decode configuration shared by decodeImage, imageToTensor, the lgbm features and
 * downscaleReencode, so training and serving never see pixels prepared differently.
 *  - failOn 'truncated': truncated/garbage bodies abort; benign JPEG warnings seen in real
 *    camera files (extraneous bytes etc.) do not.
 *  - autoOrient: apply the EXIF Orientation tag so pixels are upright.
 * The up-front check reads the header in JS (checkImageHeader: probeImage's contract without a
 * libvips call, ~0.22 ms of CPU saved per image); the decode itself refuses anything broken beyond.
 */
export async function openImage(buf: Buffer, opts: DecodeLimits = {}): Promise<{ probe: ImageProbe; image: SharpPipeline }> {
  const probe = checkImageHeader(buf, opts);
  const image = sharp(buf, {
    failOn: 'truncated',
    limitInputPixels: resolveMaxPixels(opts),
    autoOrient: true,
  });
  return { probe, image };
}

/** Black, used both to flatten transparency and to pad 'contain' resizes. */
export const BLACK = { r: 0, g: 0, b: 0, alpha: 1 } as const;

export interface RawRgb {
  data: Buffer;
  width: number;
  height: number;
}

/**
 * Finish a pipeline as 8-bit sRGB with exactly 3 channels (alpha flattened onto black,
 * greyscale expanded, 16-bit reduced) and map libvips failures to ImageRejectedError.
 */
export async function toRgb8(image: SharpPipeline): Promise<RawRgb> {
  try {
    const { data, info } = await image
      .flatten({ background: BLACK })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) {
      throw new ImageRejectedError('undecodable_image', `decoded to ${info.channels} channels, expected 3`);
    }
    return { data, width: info.width, height: info.height };
  } catch (err) {
    throw asRejection(err);
  }
}

export function asRejection(err: unknown): ImageRejectedError {
  if (err instanceof ImageRejectedError) return err;
  const text = errorText(err);
  if (/pixel limit/i.test(text)) {
    return new ImageRejectedError('too_many_pixels', text, { cause: err });
  }
  return new ImageRejectedError('undecodable_image', `cannot decode image: ${text}`, { cause: err });
}
