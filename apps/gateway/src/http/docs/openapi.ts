import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV3, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import {
  EnsembleResponseSchema,
  EnsembleStrategySchema,
  ErrorCode,
  ErrorResponseSchema,
  HealthResponseSchema,
  ModelType,
  PredictionResponseSchema,
} from '@cataract/contracts';
import { z } from 'zod';
import {
  apiInfoExample,
  degradedHealthExample,
  ensembleExample,
  ERROR_EXAMPLES,
  errorExample,
  healthExample,
  predictionExample,
} from './examples';
import { registerFeedbackLoopPaths } from './feedback-loop-docs';
import { registerModelAdminPaths } from './model-admin-docs';
import { registerDriftPaths } from './drift-docs';
import { ApiInfoSchema } from './schemas';

// Adds .openapi() to zod's schemas (idempotent): the registry names components with it.
extendZodWithOpenApi(z);

export interface OpenApiOptions {
  title: string;
  version: string;
  description: string;
  /** Model types with a POST /predict_<type> route in this build. */
  predictModels: readonly ModelType[];
  maxUploadMb: number;
  /** MAX_BATCH_FILES and MAX_BATCH_MB, as this deployment sets them (default 16 and 64). */
  batch?: { maxFiles: number; maxTotalMb: number };
}

/** Error codes a prediction request can end with (the ensemble adds a bad ?strategy=). */
const PREDICT_ERRORS: ErrorCode[] = [
  'bad_request',
  'no_file',
  'unexpected_field',
  'too_many_files',
  'unauthorized',
  'forbidden',
  'file_too_large',
  'unsupported_format',
  'undecodable_image',
  'too_many_pixels',
  'rate_limited',
  'too_many_in_flight',
  'internal_error',
  'inference_failed',
  'no_actor',
  'queue_full',
  'redis_unavailable',
  'storage_unavailable',
  'timeout',
];
const KEYED_ERRORS: ErrorCode[] = ['unauthorized', 'forbidden', 'rate_limited', 'internal_error'];

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request: the multipart body or a parameter is wrong',
  401: 'No API key (API_KEYS is set)',
  403: 'The API key is not valid, or not valid for this route (client keys predict; admin credentials operate)',
  404: 'No such route, model type or model version',
  409: 'The state does not allow this now (a model: nothing to roll back to, or changed meanwhile; feedback: another reviewed label, or uploads are not kept)',
  413: 'Too large: an image over MAX_UPLOAD_MB, a batch over MAX_BATCH_MB, a JSON body over its limit',
  415: 'Not an acceptable image (by content, not by name or Content-Type)',
  422: 'The model version cannot serve (manifest, sha256, feature set or warm-up refused); nothing changed',
  429: 'Over RATE_LIMIT_PER_MINUTE or MAX_INFLIGHT_PER_CLIENT for this key (or address), or too many refused credentials from this address; wait Retry-After seconds',
  500: 'Internal error (no internals are disclosed)',
  502: 'The model failed on this image after its retries',
  503: 'Temporarily unable to answer (no live actor, queue full, Redis down, upload storage); retry after Retry-After seconds',
  504: 'No answer within REQUEST_TIMEOUT_MS',
};

const header = (description: string, type: 'string' | 'integer' = 'string') => ({ description, schema: { type } });
const REQUEST_ID_HEADER = { 'X-Request-Id': header('The request id (yours when you sent a plain X-Request-Id, else a new UUID); on every log line of the request') };
const RATE_HEADERS = {
  'RateLimit-Limit': header('Requests allowed per window (when RATE_LIMIT_PER_MINUTE is set)', 'integer'),
  'RateLimit-Remaining': header('Requests left in the current window', 'integer'),
  'RateLimit-Reset': header('Seconds until the window resets', 'integer'),
};
const RETRY_AFTER = { 'Retry-After': header('Seconds to wait before retrying', 'integer') };

/**
 * The OpenAPI 3.0 document, generated with zod-to-openapi from the same zod schemas
 * (@cataract/contracts) the gateway and actors validate with; every response and every error code
 * carries an example. Built once at start: it depends only on the build and the configuration.
 */
export function buildOpenApiDocument(opts: OpenApiOptions): ReturnType<OpenApiGeneratorV3['generateDocument']> {
  const registry = new OpenAPIRegistry();
  // zod 4 gives each schema its methods when it is created, so schemas built before
  // extendZodWithOpenApi ran (the contracts') lack .openapi(): register a clone (same definition).
  const ErrorResponse = registry.register('ErrorResponse', ErrorResponseSchema.clone());
  const Prediction = registry.register('PredictionResponse', PredictionResponseSchema.clone());
  const Ensemble = registry.register('EnsembleResponse', EnsembleResponseSchema.clone());
  const Health = registry.register('HealthResponse', HealthResponseSchema.clone());
  const ApiInfo = registry.register('ApiInfo', ApiInfoSchema.clone());

  registry.registerComponent('securitySchemes', 'ApiKeyHeader', {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'One of the keys in API_KEYS (required when API_KEYS is set).',
  });
  registry.registerComponent('securitySchemes', 'BearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'The same key as `Authorization: Bearer <key>`.',
  });
  const keyed: Array<Record<string, string[]>> = [{ ApiKeyHeader: [] }, { BearerAuth: [] }];

  /** Error responses grouped by status, one named example per code. */
  const errors = (codes: readonly ErrorCode[]): Record<string, ResponseConfig> => {
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of codes) {
      const status = ERROR_EXAMPLES[code].status;
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    const out: Record<string, ResponseConfig> = {};
    for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
      const headers = {
        ...REQUEST_ID_HEADER,
        ...(status === 429 ? { ...RETRY_AFTER, ...RATE_HEADERS } : {}),
        ...(status === 503 ? RETRY_AFTER : {}),
        ...(status === 401 ? { 'WWW-Authenticate': header('Bearer realm="cataract"') } : {}),
      };
      out[String(status)] = {
        description: `${STATUS_TEXT[status]}. Codes: ${list.join(', ')}.`,
        headers,
        content: {
          'application/json': {
            schema: ErrorResponse,
            examples: Object.fromEntries(list.map((code) => [code, { summary: code, value: errorExample(code) }])),
          },
        },
      };
    }
    return out;
  };

  const imageBody = {
    required: true,
    description: `One eye photo (JPEG, PNG or WebP, judged by content; at most ${opts.maxUploadMb} MB) in the multipart field "file" (or "image").`,
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object' as const,
          properties: {
            file: { type: 'string' as const, format: 'binary', description: 'the photo (send exactly one file, here or in "image")' },
            image: { type: 'string' as const, format: 'binary', description: 'alternative field name for the photo' },
          },
        },
      },
    },
  };
  const ok = (description: string, schema: z.ZodType, example: unknown, withRateHeaders = false): ResponseConfig => ({
    description,
    headers: { ...REQUEST_ID_HEADER, ...(withRateHeaders ? RATE_HEADERS : {}) },
    content: { 'application/json': { schema, example } },
  });

  registry.registerPath({
    method: 'get',
    path: '/',
    tags: ['service'],
    summary: 'API information',
    description: 'Name, version, endpoints and models (JSON); browsers asking for HTML get the web page.',
    security: [],
    responses: {
      200: {
        description: 'API information',
        headers: REQUEST_ID_HEADER,
        content: { 'application/json': { schema: ApiInfo, example: apiInfoExample }, 'text/html': { schema: { type: 'string' } } },
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/health',
    tags: ['service'],
    summary: 'Readiness: Redis and live model actors',
    description:
      'Never needs a key. 503 while Redis is unreachable, a served model has no live actor, or this gateway is shutting down. Once any credential is configured (API_KEYS, ADMIN_KEYS, DASHBOARD_USER), the answer without an admin credential is only `{ status, timestamp }`; the full report (actors, pids, hosts, Redis) needs an admin key or the dashboard user.',
    security: [],
    responses: {
      200: ok('Ready (the full report: no credentials configured, or an admin credential)', Health, healthExample),
      503: { description: 'Not ready', headers: REQUEST_ID_HEADER, content: { 'application/json': { schema: Health, example: degradedHealthExample } } },
    },
  });
  for (const model of opts.predictModels) {
    registry.registerPath({
      method: 'post',
      path: `/predict_${model}`,
      tags: ['predict'],
      summary: `Classify an eye photo with the ${model} model`,
      security: keyed,
      request: { body: imageBody },
      responses: { 200: ok('The prediction', Prediction, predictionExample(model === 'clip' ? 'clip' : 'lgbm'), true), ...errors(PREDICT_ERRORS) },
    });
  }
  registry.registerPath({
    method: 'post',
    path: '/predict_ensemble',
    tags: ['predict'],
    summary: 'Classify an eye photo with both models combined',
    description:
      'weighted (default): lgbm and clip in parallel, P(cataract) averaged with the configured weights; cascade: lgbm first, clip only when lgbm is unsure. A member that cannot answer makes the answer `degraded`, not an error, while the other one answers.',
    security: keyed,
    request: {
      query: z.object({ strategy: EnsembleStrategySchema.optional().openapi({ description: 'how the models are combined', example: 'weighted' }) }),
      body: imageBody,
    },
    responses: { 200: ok('The combined prediction, with each member’s own answer', Ensemble, ensembleExample, true), ...errors(PREDICT_ERRORS) },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    tags: ['operations'],
    summary: 'Prometheus metrics of every gateway worker',
    description:
      'Needs an admin credential (an ADMIN_KEYS key as X-API-Key / Bearer, or the dashboard user by basic auth) once any credential is configured; client keys are refused. Requests and durations by route and status, rejected requests by reason, queue wait / processing / preprocessing / inference time and batch size per model (reported by the actors), queue depth and live actors per model.',
    security: keyed,
    responses: {
      200: {
        description: 'Prometheus text exposition format',
        headers: REQUEST_ID_HEADER,
        content: {
          'text/plain': {
            schema: { type: 'string' },
            example: '# HELP cataract_live_actors Model actors with a fresh heartbeat, per model\n# TYPE cataract_live_actors gauge\ncataract_live_actors{model="lgbm"} 1\n',
          },
        },
      },
      ...errors(KEYED_ERRORS),
    },
  });
  registerModelAdminPaths(registry, { errors, ok: (d, schema, example) => ok(d, schema, example), keyed });
  registerFeedbackLoopPaths(registry, { errors, ok: (d, schema, example) => ok(d, schema, example, true), keyed, predictErrors: PREDICT_ERRORS, maxUploadMb: opts.maxUploadMb, batch: opts.batch ?? { maxFiles: 16, maxTotalMb: 64 } });
  registerDriftPaths(registry, { errors, ok: (d, schema, example) => ok(d, schema, example), keyed });
  registry.registerPath({
    method: 'get',
    path: '/openapi.json',
    tags: ['operations'],
    summary: 'This document',
    security: [],
    responses: { 200: { description: 'OpenAPI 3.0 document', content: { 'application/json': { schema: { type: 'object' } } } } },
  });

  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: opts.title,
      version: opts.version,
      description: [
        opts.description,
        '',
        'Authentication: when the deployment sets API_KEYS, every predict endpoint needs a client key as `X-API-Key: <key>` or `Authorization: Bearer <key>` (use **Authorize** to try them here); /health, this document and /docs do not. /metrics, the model versions (/admin/models) and the queue dashboard (/admin/queues) take only operator credentials (an ADMIN_KEYS key, or DASHBOARD_USER / DASHBOARD_PASSWORD by basic auth), never a client key.',
        'Every answer carries `X-Request-Id`; every error is `{ "error": { "code", "message" }, "request_id" }` with a stable code.',
      ].join('\n'),
    },
    tags: [
      { name: 'predict', description: 'Classify external-eye photos as cataract or normal' },
      { name: 'feedback', description: 'Reviewed labels for retained uploads (SAVE_UPLOADS), the ground truth of retraining' },
      { name: 'service', description: 'Service information and readiness' },
      { name: 'operations', description: 'Metrics and this document' },
      { name: 'models', description: 'Model versions: promote, canary, shadow, rollback (admin credential)' },
    ],
  });
}
