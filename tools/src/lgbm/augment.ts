/**
 * Resolution augmentation plan. The training photos carry a shortcut (normal photos are much
 * smaller than cataract photos), so every training photo is also used as K downscaled, JPEG
 * re-encoded copies at random long sides and qualities. All draws come from one seeded stream in
 * photo order, before any parallel work, so the plan (and the model) is reproducible.
 */
import { createRng, randInt } from '@cataract/gbdt-trainer';
import { photometricKey, type Photometric } from '../clip/photometric';

export interface Variant {
  /** undefined = the photo as it is */
  longSide?: number;
  quality?: number;
  /** The clip trainer's photometric copies (clip/photometric.ts); takes precedence over longSide. */
  photometric?: Photometric;
}

export interface AugmentOptions {
  copies: number;
  minLongSide: number;
  maxLongSide: number;
  minQuality: number;
  maxQuality: number;
  seed: number;
}

export function variantKey(v: Variant): string {
  if (v.photometric) return photometricKey(v.photometric);
  return v.longSide === undefined ? 'orig' : `ds${v.longSide}q${v.quality}`;
}

/** For each item: the original, then `copies` random (longSide, quality) variants. */
export function planAugmentation<T>(items: readonly T[], o: AugmentOptions): { item: T; variant: Variant }[] {
  const rng = createRng(o.seed);
  const out: { item: T; variant: Variant }[] = [];
  for (const item of items) {
    out.push({ item, variant: {} });
    for (let k = 0; k < o.copies; k++) {
      const longSide = randInt(rng, o.minLongSide, o.maxLongSide);
      const quality = randInt(rng, o.minQuality, o.maxQuality);
      out.push({ item, variant: { longSide, quality } });
    }
  }
  return out;
}
