import type { ImageRejectionCode } from '@cataract/contracts';
import { HttpError } from './http-error';

export const UPLOAD_FIELDS = ['file', 'image'] as const;

export class MalformedUploadError extends HttpError {
  constructor(detail: string, cause?: unknown) {
    super(400, 'bad_request', `malformed multipart/form-data body: ${detail}`, { cause });
  }
}

/** `expected` names the field(s) the route reads; the single-photo routes' by default. */
export class NoFileError extends HttpError {
  constructor(expected = 'the image in field "file" (or "image")') {
    super(400, 'no_file', `no image uploaded: send multipart/form-data with ${expected}`);
  }
}

export class UnexpectedFieldError extends HttpError {
  constructor(field: string | undefined, expected = '"file" (or "image")') {
    super(400, 'unexpected_field', `unexpected file field ${JSON.stringify(field ?? '')}: use ${expected}`);
  }
}

export class TooManyFilesError extends HttpError {
  constructor() {
    super(400, 'too_many_files', 'upload exactly one image');
  }
}

export class FileTooLargeError extends HttpError {
  constructor(maxBytes: number) {
    super(413, 'file_too_large', `image larger than the ${(maxBytes / (1024 * 1024)).toFixed(1)} MB limit`);
  }
}

/** The bytes are not an acceptable image (found by the gateway's header check or by the actor's decode). */
export class UnsupportedImageError extends HttpError {
  constructor(code: ImageRejectionCode, message: string, cause?: unknown) {
    super(415, code, message, { cause });
  }
}
