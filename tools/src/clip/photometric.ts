/**
 * The original project's training augmentation, for the clip head's training rows: a random
 * rotation, mirror, Gaussian or horizontal motion blur, brightness and contrast change, then a
 * downscale and JPEG re-encode, each drawn from one seeded stream in photo order (reproducible).
 */
import sharp from 'sharp';
import { createRng, randInt } from '@cataract/gbdt-trainer';

export interface Photometric {
  angle: number;
  flip: boolean;
  /** Gaussian sigma (0 = none). */
  blur: number;
  /** Horizontal motion-blur kernel length in px, odd (0 = none). */
  motion: number;
  brightness: number;
  contrast: number;
  longSide: number;
  quality: number;
}

export function photometricKey(t: Photometric): string {
  return `ph${t.angle}|${t.flip ? 1 : 0}|${t.blur}|${t.motion}|${t.brightness}|${t.contrast}|${t.longSide}|${t.quality}`;
}

export function planPhotometric<T>(items: readonly T[], copies: number, seed: number): { item: T; photometric: Photometric }[] {
  const rng = createRng(seed);
  const r2 = (v: number) => Math.round(v * 100) / 100;
  const out: { item: T; photometric: Photometric }[] = [];
  for (const item of items) {
    for (let k = 0; k < copies; k++) {
      const blurKind = rng();
      out.push({
        item,
        photometric: {
          angle: randInt(rng, -20, 20),
          flip: rng() < 0.5,
          blur: blurKind < 0.3 ? r2(0.5 + rng() * 1.5) : 0,
          motion: blurKind >= 0.3 && blurKind < 0.5 ? 2 * randInt(rng, 1, 4) + 1 : 0,
          brightness: r2(0.75 + rng() * 0.5),
          contrast: r2(0.75 + rng() * 0.5),
          longSide: randInt(rng, 128, 448),
          quality: randInt(rng, 60, 95),
        },
      });
    }
  }
  return out;
}

export async function applyPhotometric(buf: Buffer, t: Photometric): Promise<Buffer> {
  // Rotate first on its own so the later resize sees the rotated canvas (sharp fixes the operation order within one pipeline).
  const rotated = await sharp(buf).rotate(t.angle, { background: { r: 0, g: 0, b: 0 } }).toBuffer();
  let img = sharp(rotated);
  if (t.flip) img = img.flop();
  if (t.blur > 0) img = img.blur(t.blur);
  if (t.motion > 0) {
    // A horizontal line: sharp wants kernels of at least 3 x 3, so only the middle row is non-zero.
    const kernel = new Array<number>(t.motion * 3).fill(0).fill(1, t.motion, 2 * t.motion);
    img = img.convolve({ width: t.motion, height: 3, kernel });
  }
  img = img.modulate({ brightness: t.brightness }).linear(t.contrast, 128 * (1 - t.contrast));
  return img
    .resize(t.longSide, t.longSide, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: { r: 0, g: 0, b: 0 } })
    .jpeg({ quality: t.quality })
    .toBuffer();
}
