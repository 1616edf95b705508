import type { ErrorCode } from '@cataract/contracts';

/** An error with an HTTP answer: status, stable code, client-safe message and optional headers. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: ErrorCode, message: string, opts: { headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.headers = opts.headers ?? {};
  }
}

/** 503s tell the client when to come back. */
export class ServiceUnavailableError extends HttpError {
  readonly retryAfterSeconds: number;

  constructor(code: ErrorCode, message: string, retryAfterSeconds: number, cause?: unknown) {
    super(503, code, message, { headers: { 'Retry-After': String(retryAfterSeconds) }, cause });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
