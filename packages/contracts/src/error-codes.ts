import { z } from 'zod';

/** Refusals of the admin model routes (@cataract/model-store); nothing changed when one is answered. */
export const MODEL_STORE_ERROR_CODES = [
  'unknown_model_type',
  'unknown_version',
  'invalid_manifest',
  'checksum_mismatch',
  'unsupported_feature_set',
  'warmup_failed',
  'no_previous_version',
  'state_conflict',
  'actors_not_ready',
] as const;

/**
 * Machine-readable error codes of the HTTP API (`{ error: { code, message }, request_id }`).
 * The image codes are the same strings as @cataract/imaging's ImageRejectedError codes.
 */
export const ERROR_CODES = [
  'bad_request', // malformed multipart body
  'no_file', // no image part in the upload
  'unexpected_field', // a file under a field other than `file` / `image`
  'too_many_files',
  'file_too_large', // over MAX_UPLOAD_MB
  'unsupported_format', // not JPEG / PNG / WebP by content
  'undecodable_image', // header or pixel data unreadable / truncated
  'too_many_pixels', // decompression-bomb guard
  'no_actor', // no live actor of the model type
  'queue_full', // queue over MAX_QUEUED_PER_MODEL
  'redis_unavailable',
  'timeout', // request deadline passed
  'inference_failed', // the actor failed the job after its retries
  'unauthorized', // no API key (API_KEYS set)
  'forbidden', // an API key that is not in API_KEYS
  'rate_limited', // over RATE_LIMIT_PER_MINUTE for this key (or address), or too many refused credentials from one address
  'too_many_in_flight', // over MAX_INFLIGHT_PER_CLIENT: this key (or address) already has that much work in flight
  'cross_site_request', // a state-changing dashboard request from another origin or without a JSON body
  'invalid_job', // job data added or edited on the dashboard that is not a prediction job
  'storage_unavailable', // SAVE_UPLOADS is on and the upload could not be kept
  'batch_too_large', // POST /predict_batch over MAX_BATCH_MB in total
  'body_too_large', // a JSON body over its route's limit
  'invalid_feedback', // POST /feedback body that is not { request_id, label, note?, replace? }
  'unknown_request', // POST /feedback for a request with no retained upload (never kept, or pruned)
  'review_conflict', // POST /feedback with another label than the record's review, without "replace": true
  'uploads_not_retained', // POST /feedback while SAVE_UPLOADS is off: there is nothing to review
  'not_found',
  'internal_error',
  ...MODEL_STORE_ERROR_CODES,
] as const;
export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** The codes an actor may report for an image it refused (client input errors, never retried). */
export const IMAGE_REJECTION_CODES = ['unsupported_format', 'undecodable_image', 'too_many_pixels'] as const;
export const ImageRejectionCodeSchema = z.enum(IMAGE_REJECTION_CODES);
export type ImageRejectionCode = z.infer<typeof ImageRejectionCodeSchema>;

export const ErrorDetailSchema = z.object({ code: ErrorCodeSchema, message: z.string() });
export type ErrorDetail = z.infer<typeof ErrorDetailSchema>;
