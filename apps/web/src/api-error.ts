/** The service answered with an HTTP error (its JSON body is `{ error: { code, message }, request_id }`). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    /** The service's machine-readable code, e.g. `UNSUPPORTED_MEDIA_TYPE`; undefined when the body was not our JSON. */
    readonly code: string | undefined,
    message: string,
    /** From the Retry-After header (seconds), when the service sent one. */
    readonly retryAfterSeconds: number | undefined,
    readonly requestId: string | undefined,
  ) {
    super(message);
  }
}

/** No HTTP answer at all: the service is down, the network is gone, or our own deadline passed. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}
