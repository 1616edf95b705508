import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, requireFromRoot } from './root.mjs';

const sharp = requireFromRoot('sharp');

/** ../shared/data/cataract/train beside the repository (read in place, never copied). */
export const SHARED_PHOTOS = join(ROOT, '..', 'shared', 'data', 'cataract', 'train');
/** The photo of the throughput goal and of ../shared/checks/throughput: 58 KB, 512 px. */
export const GOAL_PHOTO = join(SHARED_PHOTOS, 'cataract', 'image_139.jpg');

export function sharedPhotosAvailable() {
  return existsSync(join(SHARED_PHOTOS, 'cataract')) && existsSync(join(SHARED_PHOTOS, 'normal'));
}

/**
 * The fixed photo sets of a run, all from real photos:
 *  - `jpeg`: the first `perClass` photos per class (by name) of 40-80 KB, as uploaded (~60 KB JPEGs);
 *  - `png1500`: the first `large` of those upscaled to 1500 px and encoded as PNG at bench time
 *    (a few MB each: exercises upload parsing, Redis transfer and a large decode);
 *  - `goal`: image_139.jpg alone (the 150 req/s goal and the shared throughput check).
 */
export async function photoSets({ perClass = 8, large = 4 } = {}) {
  if (!sharedPhotosAvailable()) throw new Error(`${SHARED_PHOTOS} is absent: the load benchmark needs the real photos`);
  const jpeg = ['cataract', 'normal'].flatMap((label) =>
    readdirSync(join(SHARED_PHOTOS, label))
      .filter((f) => f.endsWith('.jpg'))
      .sort()
      .map((f) => join(SHARED_PHOTOS, label, f))
      .filter((p) => statSync(p).size >= 40_000 && statSync(p).size <= 80_000)
      .slice(0, perClass)
      .map((path) => ({ name: path.slice(SHARED_PHOTOS.length + 1), bytes: readFileSync(path), type: 'image/jpeg' })),
  );
  const png1500 = await Promise.all(
    jpeg.slice(0, large).map(async (p) => ({
      name: `${p.name} upscaled to 1500 px PNG`,
      bytes: await sharp(p.bytes).resize(1500, 1500, { fit: 'fill', kernel: 'lanczos3' }).png().toBuffer(),
      type: 'image/png',
    })),
  );
  const goal = [{ name: 'cataract/image_139.jpg', bytes: readFileSync(GOAL_PHOTO), type: 'image/jpeg' }];
  return { jpeg, png1500, goal };
}

export function describeSet(photos) {
  const sizes = photos.map((p) => p.bytes.length);
  return { count: photos.length, mean_kb: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length / 1024), names: photos.map((p) => p.name) };
}
