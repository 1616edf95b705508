/**
 * models/<model>/oof-predictions.json: every training photo's out-of-fold P(cataract), per repeat of
 * the cross-validation, raw (the model's own output) and cross-fitted calibrated, as the photo is
 * and downscaled to 256 px / JPEG q85. The ensemble tool fits its combiner on these, with the same
 * folds (recorded here) so its own figures stay out of fold.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { LABELS } from '../common/dataset';

const probs = z.array(z.number().min(0).max(1));

export const OofPhotoSchema = z.object({
  file: z.string().min(1),
  label: z.enum(LABELS as [string, ...string[]]),
  /** Near-duplicate group (photos of one group share every fold). */
  group: z.number().int().min(0),
  /** Fold of the photo in each repeat. */
  folds: z.array(z.number().int().min(0)),
  raw: probs,
  calibrated: probs,
  raw_reencoded_256: probs,
  calibrated_reencoded_256: probs,
});
export type OofPhoto = z.infer<typeof OofPhotoSchema>;

export const OofFileSchema = z.looseObject({
  model: z.string().min(1),
  cross_validation: z.looseObject({ k: z.number().int().min(2), repeats: z.number().int().min(1), seed: z.number().int() }),
  predictions: z.array(OofPhotoSchema).min(1),
});
export type OofFile = z.infer<typeof OofFileSchema>;

export async function readOofFile(file: string): Promise<OofFile> {
  const parsed = OofFileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: not an out-of-fold predictions file (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  return parsed.data;
}

/** Rounded so the committed file stays small and diffs stay readable (1e-6 is far below any figure reported). */
export const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
