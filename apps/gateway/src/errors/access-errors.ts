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

/** A valid credential of the other role: client keys predict, admin credentials operate. */
export class WrongRoleError extends HttpError {
  constructor(needed: 'client' | 'admin') {
    super(
      403,
      'forbidden',
      needed === 'admin'
        ? 'this route needs an operator credential (an ADMIN_KEYS key or the dashboard user); client keys only predict'
        : 'predictions need a client key (API_KEYS); operator credentials do not predict',
    );
  }
}

/** An operator route while no operator credential is configured (API_KEYS set, ADMIN_KEYS and DASHBOARD_USER not). */
export class NoOperatorCredentialError extends HttpError {
  constructor() {
    super(403, 'forbidden', 'no operator credential is configured: set ADMIN_KEYS or DASHBOARD_USER / DASHBOARD_PASSWORD');
  }
}

/** Over AUTH_FAILURES_PER_MINUTE refused credentials from one address. */
export class TooManyAuthFailuresError extends HttpError {
  constructor(limitPerMinute: number, retryAfterSeconds: number) {
    super(429, 'rate_limited', `more than ${limitPerMinute} refused credentials per minute from this address; see Retry-After`, {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}

/** Over MAX_INFLIGHT_PER_CLIENT: this client already has that much decode work in flight. */
export class TooManyInFlightError extends HttpError {
  constructor(limit: number, cost: number, retryAfterSeconds: number) {
    super(
      429,
      'too_many_in_flight',
      `this client already has work in flight and this image (cost ${cost}) would take it over ${limit} units (MAX_INFLIGHT_PER_CLIENT); retry after Retry-After`,
      { headers: { 'Retry-After': String(retryAfterSeconds) } },
    );
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
