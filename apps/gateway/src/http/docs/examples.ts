import type { EnsembleResponse, ErrorCode, ErrorResponse, HealthResponse, PredictionResponse } from '@cataract/contracts';
import type { ApiInfo } from './schemas';

/**
 * Example bodies shown in the OpenAPI document. Typed with the contracts' types and checked
 * against the same zod schemas in the tests, so an example can never drift from the real answers.
 */
const REQUEST_ID = '6f1c2b8e-3d4a-4f5b-9c7d-2e1a0b9c8d7f';

export const predictionExample = (model: 'lgbm' | 'clip'): PredictionResponse => ({
  prediction: 'cataract',
  confidence: 0.9132,
  probabilities: { cataract: 0.9132, normal: 0.0868 },
  model_used: model,
  model_version: `${model}-2026-01-15-3f9a2c1b`,
  processing_time: 0.0421,
  actor_id: `host-4242-${model === 'lgbm' ? 'a1b2' : 'c3d4'}`,
  request_id: REQUEST_ID,
  timestamp: '2026-02-01T10:00:00.250Z',
});

export const ensembleExample: EnsembleResponse = {
  prediction: 'cataract',
  confidence: 0.8874,
  probabilities: { cataract: 0.8874, normal: 0.1126 },
  model_used: 'ensemble',
  model_version: 'lgbm:lgbm-2026-01-15-3f9a2c1b+clip:clip-2026-01-16-9e8d7c6b',
  processing_time: 0.1187,
  actor_id: 'lgbm:host-4242-a1b2+clip:host-4243-c3d4',
  request_id: REQUEST_ID,
  timestamp: '2026-02-01T10:00:00.250Z',
  strategy: 'weighted',
  weights: { lgbm: 0.4, clip: 0.6 },
  degraded: false,
  models: {
    lgbm: {
      prediction: 'cataract',
      confidence: 0.8432,
      probabilities: { cataract: 0.8432, normal: 0.1568 },
      model_version: 'lgbm-2026-01-15-3f9a2c1b',
      actor_id: 'host-4242-a1b2',
    },
    clip: {
      prediction: 'cataract',
      confidence: 0.9169,
      probabilities: { cataract: 0.9169, normal: 0.0831 },
      model_version: 'clip-2026-01-16-9e8d7c6b',
      actor_id: 'host-4243-c3d4',
    },
  },
};

export const healthExample: HealthResponse = {
  status: 'ok',
  redis: 'connected',
  actors: {
    lgbm: [{ id: 'host-4242-a1b2', pid: 4242, host: 'host', model_version: 'lgbm-2026-01-15-3f9a2c1b', last_seen: '2026-02-01T10:00:00.000Z' }],
    clip: [{ id: 'host-4243-c3d4', pid: 4243, host: 'host', model_version: 'clip-2026-01-16-9e8d7c6b', last_seen: '2026-02-01T10:00:00.120Z' }],
  },
  actors_available: 2,
  served_models: ['lgbm', 'clip'],
  ray_workers_available: 2,
  timestamp: '2026-02-01T10:00:00.250Z',
};

export const degradedHealthExample: HealthResponse = {
  ...healthExample,
  status: 'degraded',
  actors: { lgbm: healthExample.actors.lgbm, clip: [] },
  actors_available: 1,
  ray_workers_available: 1,
};

export const apiInfoExample: ApiInfo = {
  name: 'cataract-cluster',
  version: '0.1.0',
  description: 'TypeScript inference cluster classifying external-eye photos as cataract or normal',
  endpoints: [
    { method: 'POST', path: '/predict_lgbm', description: 'classify an eye photo with the lgbm model' },
    { method: 'GET', path: '/health', description: 'Redis and live model actors' },
  ],
  models: {
    lgbm: { served: true, version: 'lgbm-2026-01-15-3f9a2c1b', runtime: 'lightgbm', threshold: 0.5, actors: 1, actor_versions: ['lgbm-2026-01-15-3f9a2c1b'] },
    clip: { served: true, version: 'clip-2026-01-16-9e8d7c6b', runtime: 'onnx', threshold: 0.5, actors: 1, actor_versions: ['clip-2026-01-16-9e8d7c6b'] },
  },
};

/** One example per error code a client can meet, with the message the gateway actually sends. */
export const ERROR_EXAMPLES: Record<ErrorCode, { status: number; message: string }> = {
  bad_request: { status: 400, message: 'malformed multipart/form-data body: Unexpected end of form' },
  no_file: { status: 400, message: 'no image uploaded: send multipart/form-data with the image in field "file" (or "image")' },
  unexpected_field: { status: 400, message: 'unexpected file field "photo": use "file" (or "image")' },
  too_many_files: { status: 400, message: 'upload exactly one image' },
  unauthorized: { status: 401, message: 'an API key is required: send X-API-Key: <key> or Authorization: Bearer <key>' },
  forbidden: { status: 403, message: 'the API key is not valid' },
  not_found: { status: 404, message: 'no route for GET /predict' },
  file_too_large: { status: 413, message: 'image larger than the 10.0 MB limit' },
  unsupported_format: { status: 415, message: 'not a JPEG, PNG or WebP image' },
  undecodable_image: { status: 415, message: 'the image data is truncated or corrupt' },
  too_many_pixels: { status: 415, message: 'image of 20000x20000 pixels exceeds the 40000000-pixel limit' },
  rate_limited: { status: 429, message: 'rate limit of 60 requests per minute exceeded; see Retry-After' },
  too_many_in_flight: { status: 429, message: 'this client already has 64 units of work in flight (this image costs 40); retry after Retry-After' },
  cross_site_request: { status: 403, message: 'dashboard changes must come from the dashboard itself (same origin, JSON body)' },
  invalid_job: { status: 400, message: 'job data is not a prediction job: uploadKey: must be an upload key (cataract:upload:<id>)' },
  internal_error: { status: 500, message: 'internal server error' },
  inference_failed: { status: 502, message: 'the lgbm model failed: the model run failed' },
  no_actor: { status: 503, message: 'no lgbm model actor is available' },
  queue_full: { status: 503, message: 'the lgbm queue is full (256 waiting), retry shortly' },
  redis_unavailable: { status: 503, message: 'the job store (Redis) is unreachable' },
  storage_unavailable: { status: 503, message: 'the upload could not be stored; retry shortly' },
  batch_too_large: { status: 413, message: 'the batch is larger than 64.0 MB in total (MAX_BATCH_MB); split it' },
  body_too_large: { status: 413, message: 'the JSON body is larger than 16 KB' },
  invalid_feedback: {
    status: 400,
    message: 'feedback must be JSON { "request_id": string, "label": "cataract" | "normal", "note"?: string, "replace"?: boolean }: label: Invalid option: expected one of "cataract"|"normal"',
  },
  unknown_request: {
    status: 404,
    message: 'no retained upload for request 6f1c2b8e-3d4a-4f5b-9c7d-2e1a0b9c8d7f: the id is unknown, its request was not answered, or its record was pruned (CUSTOMER_DATA_MAX_DAYS)',
  },
  review_conflict: { status: 409, message: 'request 6f1c2b8e-3d4a-4f5b-9c7d-2e1a0b9c8d7f is already reviewed as "cataract"; send "replace": true to change it (the earlier review is kept)' },
  uploads_not_retained: { status: 409, message: 'this deployment does not keep uploads (SAVE_UPLOADS is off), so there is no record to attach a reviewed label to' },
  timeout: { status: 504, message: 'no answer within the 10000 ms request deadline' },
  unknown_model_type: { status: 404, message: "unknown model type 'xgb' (known: lgbm, clip)" },
  unknown_version: { status: 404, message: "no version 'lgbm-2026-03-01-aa11bb22' of lgbm in /app/models/lgbm (present: lgbm-2026-01-15-3f9a2c1b)" },
  invalid_manifest: { status: 422, message: "/app/models/lgbm/lgbm-2026-03-01-aa11bb22: manifest says version 'lgbm-2026-02-01', the folder is 'lgbm-2026-03-01-aa11bb22'" },
  checksum_mismatch: { status: 422, message: 'sha256 of /app/models/lgbm/lgbm-2026-03-01-aa11bb22/model.txt is 5ede…, its manifest says 6ebe…: the file changed or is damaged' },
  unsupported_feature_set: { status: 422, message: "feature set mismatch: this build computes 'eye-regions' v2, but the model expects 'eye-regions' v3" },
  warmup_failed: { status: 422, message: 'actor host-4242-a1b2 could not load lgbm lgbm-2026-03-01-aa11bb22: warm-up prediction failed' },
  no_previous_version: { status: 409, message: 'lgbm has no previous version to roll back to (serving lgbm-2026-01-15-3f9a2c1b, the default)' },
  state_conflict: { status: 409, message: 'the lgbm state changed while this command ran (another operator?); nothing was changed by this one: run it again' },
  actors_not_ready: { status: 503, message: 'actors of lgbm did not report lgbm-2026-03-01-aa11bb22 ready within 60000 ms (waiting for host-4242-a1b2)' },
};

export function errorExample(code: ErrorCode): ErrorResponse {
  return { error: { code, message: ERROR_EXAMPLES[code].message }, request_id: REQUEST_ID };
}
