/**
 * The forms in which the same photo may reach the service, made in memory with sharp: as the user
 * sent it, re-saved as PNG (lossless: only the container changes), as JPEG quality 90, and
 * downscaled by half (PNG, so the scaling is the only change). Pixels are oriented first (EXIF
 * Orientation applied), as the service itself reads photos, so every variant shows the same
 * upright picture.
 */
import sharp from 'sharp';

export const VARIANTS = ['original', 'png', 'jpeg90', 'half'] as const;
export type VariantName = (typeof VARIANTS)[number];

/** What the report calls each variant. */
export const VARIANT_TITLES: Record<VariantName, string> = {
  original: 'as sent',
  png: 'PNG',
  jpeg90: 'JPEG q90',
  half: 'half size',
};

export interface PhotoVariant {
  name: VariantName;
  bytes: Buffer;
  mimeType: string;
  fileName: string;
}

const MIME: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** The photo's own bytes, typed by their content (sent as is even when sharp cannot read them: the service then says why). */
export async function asSent(bytes: Buffer): Promise<PhotoVariant> {
  const format = await sharp(bytes)
    .metadata()
    .then((m) => m.format as string | undefined)
    .catch(() => undefined);
  const mimeType = (format && MIME[format]) ?? 'application/octet-stream';
  return { name: 'original', bytes, mimeType, fileName: `photo.${format ?? 'bin'}` };
}

/** The requested variants of one photo (the original's bytes untouched). */
export async function makeVariants(bytes: Buffer, names: readonly VariantName[] = VARIANTS): Promise<PhotoVariant[]> {
  const out: PhotoVariant[] = [];
  if (names.includes('original')) out.push(await asSent(bytes));
  const others = names.filter((n) => n !== 'original');
  if (others.length === 0) return out;
  const meta = await sharp(bytes).metadata();
  for (const name of others) {
    if (name === 'png') {
      out.push({ name, bytes: await sharp(bytes).rotate().png().toBuffer(), mimeType: 'image/png', fileName: 'photo.png' });
    } else if (name === 'jpeg90') {
      const jpeg = await sharp(bytes).rotate().flatten({ background: '#ffffff' }).jpeg({ quality: 90 }).toBuffer();
      out.push({ name, bytes: jpeg, mimeType: 'image/jpeg', fileName: 'photo.jpg' });
    } else {
      // EXIF orientations 5-8 turn the picture a quarter: its upright width is the stored height.
      const uprightWidth = (meta.orientation ?? 1) >= 5 ? meta.height : meta.width;
      const width = Math.max(1, Math.round((uprightWidth ?? 2) / 2));
      const half = await sharp(bytes).rotate().resize({ width }).png().toBuffer();
      out.push({ name, bytes: half, mimeType: 'image/png', fileName: 'photo.png' });
    }
  }
  return out;
}
