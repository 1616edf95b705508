/** The model on disk cannot be served: missing or invalid manifest, wrong checksum, wrong model type. */
export class ManifestError extends Error {
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${message}`, options);
    this.name = 'ManifestError';
  }
}
