import { z } from 'zod';
import { LabelSchema } from './labels';

/**
 * The ids a gateway gives requests (a UUID, or the client's plain X-Request-Id) and batch photos
 * (`<batch id>:<index>`): letters, digits and `._:-` only, so a feedback body can never name a path.
 */
export const RequestIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,160}$/, 'a request id: 1-160 letters, digits or ._:-');

/** POST /feedback: a clinician's reviewed label for a retained upload. */
export const FeedbackRequestSchema = z.strictObject({
  request_id: RequestIdSchema,
  label: LabelSchema,
  note: z.string().max(2000).optional(),
  /** Replace a review with another label (the earlier one is kept under `previous`). */
  replace: z.boolean().optional(),
});
export type FeedbackRequest = z.infer<typeof FeedbackRequestSchema>;

/** One review as written into a retained upload's sidecar (`review`, and each of `previous`). */
export const ReviewEntrySchema = z.object({
  label: LabelSchema,
  note: z.string().optional(),
  /** The reviewer's API key id (never the key); null when the gateway runs without API_KEYS. */
  reviewer_key_id: z.string().nullable(),
  reviewed_at: z.iso.datetime(),
});
export type ReviewEntry = z.infer<typeof ReviewEntrySchema>;

/**
 * The `review` field of a retained upload's sidecar: the current reviewed label, and the reviews it
 * replaced, oldest first. Retraining reads `review.label` as the photo's ground truth.
 */
export const ReviewSchema = ReviewEntrySchema.extend({
  previous: z.array(ReviewEntrySchema).optional(),
});
export type Review = z.infer<typeof ReviewSchema>;

/** 200 answer of POST /feedback. */
export const FeedbackResponseSchema = z.object({
  /** The reviewed upload's request id, as sent. */
  request_id: z.string(),
  /** The retained record (file name stem under CUSTOMER_DATA_DIR/<day>/). */
  record_id: z.string(),
  /** What the model answered the client at the time. */
  answered: LabelSchema,
  review: ReviewSchema,
  /** False when the record already had this label (nothing was written). */
  changed: z.boolean(),
});
export type FeedbackResponse = z.infer<typeof FeedbackResponseSchema>;
