import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { BatchModelSchema, BatchResponseSchema, EnsembleStrategySchema, ErrorCode, FeedbackRequestSchema, FeedbackResponseSchema } from '@cataract/contracts';
import { z } from 'zod';
import { batchExample, feedbackExample, feedbackRequestExample } from './feedback-loop-examples';

export interface FeedbackLoopDocHelpers {
  errors(codes: readonly ErrorCode[]): Record<string, ResponseConfig>;
  ok(description: string, schema: z.ZodType, example: unknown): ResponseConfig;
  keyed: Array<Record<string, string[]>>;
  /** What a single prediction can end with: a batch as a whole can end with most of it too. */
  predictErrors: readonly ErrorCode[];
  maxUploadMb: number;
  batch: { maxFiles: number; maxTotalMb: number };
}

const FEEDBACK_ERRORS: ErrorCode[] = [
  'invalid_feedback',
  'unauthorized',
  'forbidden',
  'unknown_request',
  'review_conflict',
  'uploads_not_retained',
  'body_too_large',
  'rate_limited',
  'internal_error',
  'redis_unavailable',
  'storage_unavailable',
];

/** POST /predict_batch and POST /feedback (routes/batch.ts, routes/feedback.ts) in the OpenAPI document. */
export function registerFeedbackLoopPaths(registry: OpenAPIRegistry, h: FeedbackLoopDocHelpers): void {
  const Batch = registry.register('BatchResponse', BatchResponseSchema.clone());
  const FeedbackBody = registry.register('FeedbackRequest', FeedbackRequestSchema.clone());
  const Feedback = registry.register('FeedbackResponse', FeedbackResponseSchema.clone());
  const batchErrors = [...new Set<ErrorCode>([...h.predictErrors, 'batch_too_large'])];

  registry.registerPath({
    method: 'post',
    path: '/predict_batch',
    tags: ['predict'],
    summary: `Classify up to ${h.batch.maxFiles} eye photos in one request`,
    description: [
      `Each photo of the repeated multipart field \`images\` is answered as its own route would answer it (\`model=lgbm\` as /predict_lgbm, \`clip\` as /predict_clip, \`ensemble\` as /predict_ensemble with \`strategy\`), in the order sent.`,
      'A photo that cannot be answered (not an image: 415; its model failed or the deadline passed: 502 / 504) gets its own `{ error, status, request_id }` in `results` and does not fail the others; the request answers 200 with a `summary` (counts per label, mean confidence, ok, failed).',
      'Only when every photo met an outage (503: no actor, queue full, Redis down) does the whole request answer 503 with Retry-After.',
      `All photos share one deadline (REQUEST_TIMEOUT_MS). Limits: ${h.batch.maxFiles} photos (MAX_BATCH_FILES; more is 400 too_many_files), ${h.maxUploadMb} MB per photo (413 file_too_large), ${h.batch.maxTotalMb} MB in all (MAX_BATCH_MB; 413 batch_too_large).`,
      'Every photo has its own request id, `<batch request_id>:<index>` (from 0): with SAVE_UPLOADS each answered photo is kept as its own record under that id, so POST /feedback reviews photos one by one.',
      'RATE_LIMIT_PER_MINUTE counts each photo; MAX_INFLIGHT_PER_CLIENT counts the decode cost of every photo.',
    ].join('\n\n'),
    security: h.keyed,
    request: {
      query: z.object({
        model: BatchModelSchema.optional().openapi({ description: 'which model answers each photo (default ensemble)', example: 'ensemble' }),
        strategy: EnsembleStrategySchema.optional().openapi({ description: 'with model=ensemble: how the models are combined', example: 'weighted' }),
      }),
      body: {
        required: true,
        description: `1 to ${h.batch.maxFiles} photos (JPEG, PNG or WebP, judged by content), each a part of the field "images".`,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object' as const,
              properties: { images: { type: 'array' as const, items: { type: 'string' as const, format: 'binary' }, description: 'the photos, one per part, in order' } },
              required: ['images'],
            },
          },
        },
      },
    },
    responses: { 200: h.ok('One result per photo in order, and a summary', Batch, batchExample), ...h.errors(batchErrors) },
  });

  registry.registerPath({
    method: 'post',
    path: '/feedback',
    tags: ['feedback'],
    summary: 'Record a reviewed label for a retained upload',
    description: [
      "A clinician's verdict on a photo the service answered, by the answer's `request_id` (a batch photo's own id). Needs SAVE_UPLOADS (otherwise 409 uploads_not_retained): the review is written into the upload's retained record (its JSON sidecar, field `review`), atomically, and retraining reads it from there.",
      'The same label again answers 200 with `changed: false`. Another label than the record already has is 409 review_conflict unless `"replace": true`, which keeps the earlier review under `review.previous`. 404 unknown_request: no retained upload has this id (never answered, or pruned after CUSTOMER_DATA_MAX_DAYS).',
      "Needs a client key when API_KEYS is set, and one listed in REVIEWER_KEYS when that is set (403 otherwise). The reviewer's key id is stored, never the key.",
    ].join('\n\n'),
    security: h.keyed,
    request: { body: { required: true, content: { 'application/json': { schema: FeedbackBody, example: feedbackRequestExample } } } },
    responses: { 200: h.ok('The review now on the record', Feedback, feedbackExample), ...h.errors(FEEDBACK_ERRORS) },
  });
}
