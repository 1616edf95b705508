import sharp from 'sharp';
import { ImageRejectedError } from './errors';
import { sniffFormat } from './formats';
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
export async function openImage(
  buf: Buffer,
  opts: DecodeLimits = {},
  failOn: 'truncated' | 'warning' = 'truncated',
): Promise<{ probe: ImageProbe; image: SharpPipeline }> {
  const probe = checkImageHeader(buf, opts);
  const image = sharp(buf, {
    failOn,
    limitInputPixels: resolveMaxPixels(opts),
    autoOrient: true,
  });
  return { probe, image };
}

/** libjpeg's warnings for entropy data that stops before the frame its header declares is filled. */
const DATA_ENDS_EARLY = /premature end/i;

/**
 * Decode `buf` through `shape` (resize etc.) to 8-bit RGB (toRgb8). A JPEG is decoded first with
 * libvips failing on any warning: when its data ends before the frame its header declares (a
 * 6000x6000 header over a small photo's data), libjpeg only warns and pads the rest with grey, so
 * the lenient decode would classify a picture that is not there; that is refused as
 * undecodable_image. Any other warning (extraneous bytes before a marker and the like, seen in real
 * camera files) is benign: the image is then decoded again at the usual 'truncated' level. None of
 * the training photos raises a warning, so the second decode is the rare case.
 */
export async function decodeRgb(buf: Buffer, opts: DecodeLimits, shape: (image: SharpPipeline) => SharpPipeline = (i) => i): Promise<RawRgb> {
  const strict = sniffFormat(buf) === 'jpeg';
  const { probe, image } = await openImage(buf, opts, strict ? 'warning' : 'truncated');
  if (!strict) return toRgb8(shape(image));
  try {
    return await toRgb8(shape(image));
  } catch (err) {
    if (!(err instanceof ImageRejectedError) || err.code !== 'undecodable_image') throw err;
    if (DATA_ENDS_EARLY.test(err.message)) {
      throw new ImageRejectedError('undecodable_image', `the JPEG data ends before the ${probe.width}x${probe.height} image its header declares`, { cause: err });
    }
    return toRgb8(shape((await openImage(buf, opts)).image));
  }
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
