import type { Label } from '@cataract/contracts';
import { HttpError } from './http-error';

/** A client key that REVIEWER_KEYS does not list. */
export class NotAReviewerError extends HttpError {
  constructor() {
    super(403, 'forbidden', 'this API key may predict but not review: reviewed labels need a key listed in REVIEWER_KEYS');
  }
}

/** SAVE_UPLOADS is off: no upload was kept, so there is nothing a label could be attached to. */
export class UploadsNotRetainedError extends HttpError {
  constructor() {
    super(409, 'uploads_not_retained', 'this deployment does not keep uploads (SAVE_UPLOADS is off), so there is no record to attach a reviewed label to');
  }
}

/** The body is not valid JSON, or not the feedback's shape. */
export class InvalidFeedbackError extends HttpError {
  constructor(detail: string, cause?: unknown) {
    super(400, 'invalid_feedback', `feedback must be JSON { "request_id": string, "label": "cataract" | "normal", "note"?: string, "replace"?: boolean }: ${detail}`, { cause });
  }
}

export class BodyTooLargeError extends HttpError {
  constructor(limit: string) {
    super(413, 'body_too_large', `the JSON body is larger than ${limit}`);
  }
}

/** No retained upload has this request id: never kept (unknown id, or answered with an error) or pruned. */
export class UnknownRequestError extends HttpError {
  constructor(requestId: string) {
    super(404, 'unknown_request', `no retained upload for request ${requestId}: the id is unknown, its request was not answered, or its record was pruned (CUSTOMER_DATA_MAX_DAYS)`);
  }
}

/** The record already has another reviewed label; "replace": true overrides it. */
export class ReviewConflictError extends HttpError {
  constructor(requestId: string, current: Label) {
    super(409, 'review_conflict', `request ${requestId} is already reviewed as "${current}"; send "replace": true to change it (the earlier review is kept)`);
  }
}
