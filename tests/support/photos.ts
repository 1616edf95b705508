import { createRng } from '@cataract/gbdt-trainer';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';

export type EyeLabel = 'cataract' | 'normal';

/** ../shared/data/cataract/train from the repository root (read in place, never copied). */
export const SHARED_PHOTOS_DIR = resolve(__dirname, '..', '..', '..', 'shared', 'data', 'cataract', 'train');

export function sharedPhotosAvailable(): boolean {
  return existsSync(join(SHARED_PHOTOS_DIR, 'cataract')) && existsSync(join(SHARED_PHOTOS_DIR, 'normal'));
}

/** Up to `perClass` real photos per class, sorted by name (deterministic); empty when ../shared is absent. */
export function sharedPhotos(perClass: number): Array<{ label: EyeLabel; path: string; bytes: Buffer }> {
  if (!sharedPhotosAvailable()) return [];
  return (['cataract', 'normal'] as const).flatMap((label) =>
    readdirSync(join(SHARED_PHOTOS_DIR, label))
      .filter((f) => /\.(jpe?g|png|webp)$/i.test(f))
      .sort()
      .slice(0, perClass)
      .map((f) => ({ label, path: join(SHARED_PHOTOS_DIR, label, f), bytes: readFileSync(join(SHARED_PHOTOS_DIR, label, f)) })),
  );
}

export interface SyntheticEyeOptions {
  label: EyeLabel;
  seed?: number;
  width?: number;
  height?: number;
  format?: 'jpeg' | 'png' | 'webp';
}

/**
 * Renders an external-eye-like photo: skin, almond sclera, textured iris and a pupil that is black
 * (normal) or milky grey-white (cataract), with noise. Stands in for real photos when ../shared is
 * absent; it exercises the same decode and feature path, not the model's accuracy.
 */
export async function syntheticEye(opts: SyntheticEyeOptions): Promise<Buffer> {
  const w = opts.width ?? 320;
  const h = opts.height ?? 240;
  const rand = createRng(opts.seed ?? 1); // seeded: a seed always renders the same eye
  const cx = w / 2 + (rand() - 0.5) * w * 0.04;
  const cy = h / 2 + (rand() - 0.5) * h * 0.04;
  const irisR = Math.min(w, h) * (0.26 + rand() * 0.04);
  const pupilR = irisR * (0.38 + rand() * 0.1);
  const iris = [60 + rand() * 80, 40 + rand() * 50, 20 + rand() * 60];
  const skin = [190 + rand() * 40, 140 + rand() * 30, 110 + rand() * 30];
  const lens = opts.label === 'cataract' ? 175 + rand() * 45 : 8 + rand() * 14;
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const r = Math.hypot(dx, dy);
      const scleraEdge = (dx / (w * 0.45)) ** 2 + (dy / (h * 0.36)) ** 2;
      let px: number[];
      if (r < pupilR) {
        const haze = opts.label === 'cataract' ? (1 - r / pupilR) * 25 : 0;
        px = [lens + haze, lens + haze, lens + haze * 0.9];
      } else if (r < irisR) {
        const streak = Math.sin(Math.atan2(dy, dx) * 40) * 12;
        px = iris.map((c) => c + streak);
      } else if (scleraEdge < 1) {
        px = [232, 226, 222];
      } else {
        px = skin;
      }
      const n = (rand() - 0.5) * 16;
      const o = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) data[o + c] = Math.max(0, Math.min(255, Math.round(px[c] + n)));
    }
  }
  const img = sharp(data, { raw: { width: w, height: h, channels: 3 } });
  const format = opts.format ?? 'jpeg';
  if (format === 'png') return img.png().toBuffer();
  if (format === 'webp') return img.webp({ quality: 90 }).toBuffer();
  return img.jpeg({ quality: 90 }).toBuffer();
}

/** Photos for end-to-end tests: real ones from ../shared when present, else rendered ones. */
export async function eyePhotos(perClass: number): Promise<{ source: 'shared' | 'synthetic'; photos: Array<{ label: EyeLabel; bytes: Buffer }> }> {
  const real = sharedPhotos(perClass);
  if (real.length > 0) return { source: 'shared', photos: real.map(({ label, bytes }) => ({ label, bytes })) };
  const photos: Array<{ label: EyeLabel; bytes: Buffer }> = [];
  for (let i = 0; i < perClass; i++) {
    for (const label of ['cataract', 'normal'] as const) photos.push({ label, bytes: await syntheticEye({ label, seed: 100 + i }) });
  }
  return { source: 'synthetic', photos };
}
