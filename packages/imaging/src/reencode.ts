import { DecodeLimits } from './probe';
import { BLACK, asRejection, openImage } from './pipeline';

/**
 * Resolution augmentation / evaluation transform: shrink so the long side is `longSide`
 * (never enlarge), then re-encode as JPEG at `quality`. EXIF orientation is applied, so the
 * output is upright and carries no metadata.
 */
export async function downscaleReencode(
  buf: Buffer,
  longSide: number,
  quality: number,
  opts: DecodeLimits = {},
): Promise<Buffer> {
  if (!Number.isInteger(longSide) || longSide <= 0) throw new RangeError(`longSide must be a positive integer, got ${longSide}`);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new RangeError(`quality must be an integer in 1..100, got ${quality}`);
  }
  const { image } = await openImage(buf, opts);
  try {
    return await image
      .resize(longSide, longSide, { fit: 'inside', withoutEnlargement: true, kernel: 'lanczos3' })
      .flatten({ background: BLACK })
      .toColourspace('srgb')
      .jpeg({ quality })
      .toBuffer();
  } catch (err) {
    throw asRejection(err);
  }
}
