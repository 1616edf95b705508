/**
 * Why the model store refused something. Each carries a stable code (the admin API's error code
 * and the CLI's message prefix) and the HTTP status the admin routes answer with. Whatever is
 * refused, nothing changed: the serving state is only written after every check passed.
 */
export type ModelStoreErrorCode =
  | 'unknown_model_type'
  | 'unknown_version'
  | 'invalid_manifest'
  | 'checksum_mismatch'
  | 'unsupported_feature_set'
  | 'warmup_failed'
  | 'no_previous_version'
  | 'invalid_request'
  | 'state_conflict'
  | 'actors_not_ready';

const STATUS: Record<ModelStoreErrorCode, number> = {
  unknown_model_type: 404,
  unknown_version: 404,
  invalid_manifest: 422,
  checksum_mismatch: 422,
  unsupported_feature_set: 422,
  warmup_failed: 422,
  no_previous_version: 409,
  invalid_request: 400,
  state_conflict: 409,
  actors_not_ready: 503,
};

export class ModelStoreError extends Error {
  override readonly name = 'ModelStoreError';
  readonly status: number;

  constructor(
    readonly code: ModelStoreErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.status = STATUS[code];
  }
}
