import sharp from 'sharp';
import { createRng } from '@cataract/gbdt-trainer';
import { syntheticEye, type EyeLabel } from './photos';

/**
 * Rendered eyes that are not near-duplicates of one another. syntheticEye's photos share one
 * layout, so their difference hashes (tools/src/cv/near-duplicates.ts) mostly differ in a few bits
 * and a trainer's cross-validation would put them all in one group, leaving a fold empty. A band
 * of seeded random blocks across the top (the skin above the eye) makes every photo's hash its own
 * while the eye itself stays as rendered. For training runs without ../shared.
 */
export async function distinctEye(label: EyeLabel, seed: number, width = 320, height = 240): Promise<Buffer> {
  const rng = createRng(seed * 7919 + 13);
  const band = Math.round(height * 0.4);
  const cols = 9;
  const rows = 3;
  const cells: string[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = Math.floor(rng() * 256);
      cells.push(`<rect x="${(c * width) / cols}" y="${(r * band) / rows}" width="${width / cols + 1}" height="${band / rows + 1}" fill="rgb(${v},${Math.floor(v * 0.7)},${Math.floor(v * 0.5)})"/>`);
    }
  }
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${band}">${cells.join('')}</svg>`);
  const eye = await syntheticEye({ label, seed, width, height });
  return sharp(eye).composite([{ input: svg, top: 0, left: 0 }]).jpeg({ quality: 90 }).toBuffer();
}
