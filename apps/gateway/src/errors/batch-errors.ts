import { HttpError } from './http-error';

/** Where a batch's photos go: the repeated multipart field `images`. */
export const BATCH_FIELD = 'images';

/** More photos than MAX_BATCH_FILES. */
export class BatchTooManyFilesError extends HttpError {
  constructor(maxFiles: number) {
    super(400, 'too_many_files', `at most ${maxFiles} photos per batch (MAX_BATCH_FILES); split the batch`);
  }
}

/** The whole multipart body is over MAX_BATCH_MB; the connection is closed rather than read to its end. */
export class BatchTooLargeError extends HttpError {
  constructor(maxBytes: number) {
    super(413, 'batch_too_large', `the batch is larger than ${(maxBytes / (1024 * 1024)).toFixed(1)} MB in total (MAX_BATCH_MB); split it`, {
      headers: { Connection: 'close' },
    });
  }
}

/** ?model= names no model a batch can ask. */
export class UnknownBatchModelError extends HttpError {
  constructor(value: unknown) {
    super(400, 'bad_request', `unknown model ${JSON.stringify(value)}: use "lgbm", "clip" or "ensemble" (default)`);
  }
}

/** RATE_LIMIT_PER_MINUTE counted per photo: this batch would take the key over its budget. */
export class BatchRateLimitedError extends HttpError {
  constructor(limitPerMinute: number, photos: number, retryAfterSeconds: number) {
    super(429, 'rate_limited', `rate limit of ${limitPerMinute} photos per minute: this batch of ${photos} would exceed it; see Retry-After`, {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}
