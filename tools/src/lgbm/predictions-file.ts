/**
 * Per-photo prediction files: models/<model>/oof-predictions.json (written by the trainers; `p` is the
 * photo's mean calibrated out-of-fold P(cataract)) or any file holding
 * `{threshold?, predictions: [{file, label, p}]}` with `file` relative to the data directory.
 */
import { z } from 'zod';
import { LABELS, type Label } from '../common';

/** One photo's P(cataract); `file` is relative to the data directory, "/"-separated ("cataract/image_10.jpg"). */
export interface PhotoPrediction {
  file: string;
  label: Label;
  p: number;
}

export interface PredictionsFile {
  threshold?: number;
  predictions: PhotoPrediction[];
}

/** The shape above; other fields of the file and of each entry are kept (e.g. p_reencoded_256). */
const PredictionsFileSchema = z.looseObject({
  threshold: z.number().optional(),
  predictions: z.array(z.looseObject({ file: z.string(), label: z.enum(LABELS as [Label, ...Label[]]), p: z.number() })),
});

/** Throws a clear error unless `doc` has the shape above. */
export function parsePredictionsFile(doc: unknown, source: string): PredictionsFile {
  const parsed = PredictionsFileSchema.safeParse(doc);
  if (!parsed.success) throw new Error(`${source}: expected {threshold?, predictions: [{file, label: ${LABELS.join(' | ')}, p}]}`);
  return parsed.data;
}

/** The predictions on the wrong side of the threshold (0.5 unless the file says otherwise). */
export function misclassified(doc: PredictionsFile, positiveLabel: Label = 'cataract'): PhotoPrediction[] {
  const threshold = doc.threshold ?? 0.5;
  return doc.predictions.filter((x) => x.p >= threshold !== (x.label === positiveLabel));
}
