import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_PHOTOS_DIR, sharedPhotosAvailable, syntheticEye } from '@cataract/test-support/photos';

/**
 * Upload bodies for the fault scenarios: small real photos from ../shared when it is present (the
 * smallest `perClass` of each class that are still ordinary photos, >= 8 KB), else rendered eyes.
 * Small keeps the decode cost per request low on a shared 2-core machine; the scenarios count
 * outcomes, not model accuracy.
 */
export async function loadPhotos(perClass = 4): Promise<{ source: 'shared' | 'synthetic'; photos: Buffer[] }> {
  if (sharedPhotosAvailable()) {
    const photos = (['cataract', 'normal'] as const).flatMap((label) => {
      const dir = join(SHARED_PHOTOS_DIR, label);
      return readdirSync(dir)
        .filter((f) => /\.(jpe?g|png|webp)$/i.test(f))
        .map((f) => ({ path: join(dir, f), size: statSync(join(dir, f)).size }))
        .filter((f) => f.size >= 8 * 1024)
        .sort((a, b) => a.size - b.size || a.path.localeCompare(b.path))
        .slice(0, perClass)
        .map((f) => readFileSync(f.path));
    });
    if (photos.length > 0) return { source: 'shared', photos };
  }
  const photos: Buffer[] = [];
  for (let i = 0; i < perClass; i++) {
    for (const label of ['cataract', 'normal'] as const) photos.push(await syntheticEye({ label, seed: 500 + i }));
  }
  return { source: 'synthetic', photos };
}
