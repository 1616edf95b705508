import { runChild } from './baseline-child.mjs';

/**
 * The in-process baselines of a run, for each photo set: lgbm (features + trees, 8 in flight, as
 * the actor's concurrency), clip at batch 1 and batched (imageToTensor + one onnxruntime session),
 * and the combination an ensemble request costs done in one process (lgbm then clip, sequentially
 * per image: 1 / (1/lgbm + 1/clip)).
 */
export async function inProcessBaselines(sets, { seconds, clipBatch }) {
  const out = {};
  for (const [name, photos] of Object.entries(sets)) {
    const bytes = photos.map((p) => p.bytes);
    const lgbm = await runChild('lgbm', { photos: bytes, seconds, concurrency: 8 });
    const clip1 = await runChild('clip', { photos: bytes, seconds, batch: 1 });
    const clipN = await runChild('clip', { photos: bytes, seconds, batch: clipBatch });
    const clipBest = Math.max(clip1.img_per_s, clipN.img_per_s);
    out[name] = {
      lgbm: round(lgbm.img_per_s),
      clip_batch1: round(clip1.img_per_s),
      [`clip_batch${clipBatch}`]: round(clipN.img_per_s),
      clip_inference_ms_per_image: { batch1: round(clip1.inference_ms_per_image, 2), [`batch${clipBatch}`]: round(clipN.inference_ms_per_image, 2) },
      clip: round(clipBest),
      ensemble: round(1 / (1 / lgbm.img_per_s + 1 / clipBest)),
    };
  }
  return out;
}

/** Mean of two baseline measurements (before and after the cluster runs), kept beside them. */
export function meanBaselines(a, b) {
  const out = {};
  for (const set of Object.keys(a)) {
    out[set] = {};
    for (const [k, v] of Object.entries(a[set])) {
      if (typeof v === 'number') out[set][k] = round((v + b[set][k]) / 2);
    }
  }
  return out;
}

export const bareDecode = (photo, seconds) => runChild('bare-decode', { photo, seconds }).then((r) => round(r.img_per_s));
export const lgbmInProcess = (photos, seconds) => runChild('lgbm', { photos, seconds, concurrency: 8 }).then((r) => round(r.img_per_s));

export function round(v, digits = 1) {
  return Number(v.toFixed(digits));
}
