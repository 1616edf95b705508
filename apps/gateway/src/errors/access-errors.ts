import { HttpError } from './http-error';

/** No credentials where API_KEYS requires them. */
export class UnauthorizedError extends HttpError {
  constructor(scheme: 'Bearer' | 'Basic' = 'Bearer') {
    super(401, 'unauthorized', 'an API key is required: send X-API-Key: <key> or Authorization: Bearer <key>', {
      headers: { 'WWW-Authenticate': `${scheme} realm="cataract"` },
    });
  }
}

/** Credentials that match no configured key (the presented value is never echoed or logged). */
export class ForbiddenError extends HttpError {
  constructor() {
    super(403, 'forbidden', 'the API key is not valid');
  }
}

/** Over RATE_LIMIT_PER_MINUTE; the limiter sets Retry-After and the RateLimit-* headers. */
export class RateLimitedError extends HttpError {
  constructor(limitPerMinute: number) {
    super(429, 'rate_limited', `rate limit of ${limitPerMinute} requests per minute exceeded; see Retry-After`);
  }
}

/** SAVE_UPLOADS is on and the upload could not be written: no answer is given for an image we failed to keep. */
export class StorageUnavailableError extends HttpError {
  constructor(cause?: unknown) {
    super(503, 'storage_unavailable', 'the upload could not be stored; retry shortly', { headers: { 'Retry-After': '5' }, cause });
  }
}
