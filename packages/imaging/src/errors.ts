/** Why an upload was refused; stable codes that the gateway/actor map to 4xx responses. */
export type ImageRejectionCode = 'unsupported_format' | 'undecodable_image' | 'too_many_pixels';

/** Thrown by every imaging entry point when the input bytes are not an acceptable image. */
export class ImageRejectedError extends Error {
  readonly code: ImageRejectionCode;

  constructor(code: ImageRejectionCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImageRejectedError';
    this.code = code;
  }
}

/** Thrown when a model was trained on a different lgbm feature set than the one this build computes. */
export class FeatureSetMismatchError extends Error {
  readonly expected: { name: string; version: string };
  readonly actual: { name: string; version: string };

  constructor(expected: { name: string; version: string }, actual: { name: string; version: string }) {
    super(
      `feature set mismatch: this build computes '${expected.name}' v${expected.version}, ` +
        `but the model expects '${actual.name}' v${actual.version}`,
    );
    this.name = 'FeatureSetMismatchError';
    this.expected = { name: expected.name, version: expected.version };
    this.actual = { name: actual.name, version: actual.version };
  }
}
