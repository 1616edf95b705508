import { isModelType, LabelSchema } from '@cataract/contracts';
import { z } from 'zod';
import type { DriftWindow, ReviewEntry } from './drift-window';

/**
 * What drift monitoring reads of a retained upload's sidecar once it carries a reviewed label
 * (POST /feedback): the request id, each model's answer and version, and the review's label.
 * Loose: the sidecar holds more, and older records lack a review.
 */
const ReviewedSidecarSchema = z.looseObject({
  request_id: z.string().min(1),
  results: z.record(z.string(), z.unknown()),
  review: z.looseObject({ label: LabelSchema }),
});
const AnsweredSchema = z.looseObject({ prediction: LabelSchema, model_version: z.string().min(1) });

/**
 * One entry per model that answered the reviewed request: was its label the reviewed one? A model
 * that had no answer (its error is kept instead) has nothing to be right or wrong about. A sidecar
 * without a review gives none.
 */
export function reviewEntries(sidecar: unknown): ReviewEntry[] {
  const parsed = ReviewedSidecarSchema.safeParse(sidecar);
  if (!parsed.success) return [];
  const { request_id: requestId, results, review } = parsed.data;
  const out: ReviewEntry[] = [];
  for (const [model, result] of Object.entries(results)) {
    const answered = AnsweredSchema.safeParse(result);
    if (!isModelType(model) || !answered.success) continue;
    out.push({ model, version: answered.data.model_version, requestId, correct: answered.data.prediction === review.label });
  }
  return out;
}

/**
 * The hook POST /feedback calls with a sidecar it just updated: the review counts toward its
 * versions' accuracy. Never throws (the review is already on disk; the window is a view of it).
 */
export function recordReview(window: Pick<DriftWindow, 'recordReviews'>, onError: (err: Error) => void): (sidecar: unknown) => Promise<void> {
  return async (sidecar) => {
    try {
      await window.recordReviews(reviewEntries(sidecar));
    } catch (err) {
      onError(err instanceof Error ? err : new Error(String(err)));
    }
  };
}
