import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { DriftQuerySchema, DriftStatus, DriftStatusSchema, DriftSummarySchema, ErrorCode } from '@cataract/contracts';
import { z } from 'zod';

const DRIFT_ERRORS: ErrorCode[] = ['bad_request', 'forbidden', 'rate_limited', 'redis_unavailable', 'internal_error'];

export interface DriftDocHelpers {
  errors(codes: readonly ErrorCode[]): Record<string, ResponseConfig>;
  ok(description: string, schema: z.ZodType, example: unknown): ResponseConfig;
  keyed: Array<Record<string, string[]>>;
}

export const driftStatusExample: DriftStatus = {
  status: 'warn',
  reasons: ['warn: clip clip-20261207-ff4377b9: input statistics PSI up to 0.132 (warn 0.1, alert 0.25)'],
  monitoring: true,
  generated_at: '2026-12-07T12:00:00.000Z',
  window: { answers: 1000, hours: 24 },
  thresholds: {
    min_answers: 50,
    min_reviews: 20,
    psi: { warn: 0.1, alert: 0.25 },
    positive_rate_shift: { warn: 0.15, alert: 0.3 },
    disagreement_rate: { warn: 0.25, alert: 0.4 },
    accuracy: { warn: 0.85, alert: 0.75 },
  },
  models: {
    clip: {
      serving_version: 'clip-20261207-ff4377b9',
      versions: [
        {
          version: 'clip-20261207-ff4377b9',
          serving: true,
          answers: 412,
          positive_rate: 0.461,
          training_positive_rate: 0.5063,
          input: {
            samples: 412,
            reference: { available: true, samples: 476 },
            psi: { long_side: 0.021, brightness: 0.132, colourfulness: 0.044, sharpness: 0.018 },
            mean: { long_side: 470.2, brightness: 141.7, colourfulness: 40.3, sharpness: 820.5 },
          },
          reviews: { count: 31, correct: 29, accuracy: 0.9355 },
          checks: { psi: 'warn', positive_rate: 'ok', accuracy: 'ok' },
        },
        {
          version: 'clip-20261201-0a1b2c3d',
          serving: false,
          answers: 12,
          positive_rate: 0.5,
          training_positive_rate: 0.5063,
          input: {
            samples: 12,
            reference: { available: false, reason: 'version clip-20261201-0a1b2c3d ships no reference-stats.json (none in its manifest\'s files)' },
            psi: { long_side: null, brightness: null, colourfulness: null, sharpness: null },
            mean: { long_side: 512, brightness: 133.9, colourfulness: 41.2, sharpness: 790.1 },
          },
          reviews: { count: 0, correct: 0, accuracy: null },
          checks: { psi: 'insufficient', positive_rate: 'insufficient', accuracy: 'insufficient' },
        },
      ],
    },
  },
  ensemble: { answers: 388, disagreements: 49, disagreement_rate: 0.1263, check: 'ok' },
};

/** GET /drift_status (routes/drift.ts) in the OpenAPI document. */
export function registerDriftPaths(registry: OpenAPIRegistry, h: DriftDocHelpers): void {
  const Drift = registry.register('DriftStatus', DriftStatusSchema.clone());
  const Summary = registry.register('DriftSummary', DriftSummarySchema.clone());
  registry.registerPath({
    method: 'get',
    path: '/drift_status',
    tags: ['service'],
    summary: 'Are the answers and the photos drifting from what the models were trained on?',
    description: [
      'Over a rolling window shared by every gateway (the last DRIFT_WINDOW_ANSWERS answers of each model version within DRIFT_WINDOW_HOURS): answers and positive rate per model version against the training photos\' cataract share;',
      'the input statistics (long side of the original, brightness, colourfulness, sharpness) as a population stability index against the version\'s reference-stats.json (a version without one says so, `psi` null);',
      'accuracy on labels reviewed through POST /feedback; the lgbm-vs-clip disagreement on ensemble answers. `status` is the worst judgement among the serving versions and the ensemble: `ok`, `warn` or `alert` (thresholds in `thresholds`, set by DRIFT_* variables); a check with fewer than `min_answers` answers (`min_reviews` reviews) says `insufficient` and counts as ok.',
      'Never needs a key. Once any credential is configured, only an admin credential gets the figures; everyone else gets `{ status, monitoring, generated_at }` (DriftSummary). Reports are reused for up to 2 s. The same figures are `cataract_drift_*` gauges on /metrics.',
    ].join(' '),
    security: [{}, ...h.keyed],
    request: { query: z.object({ model: DriftQuerySchema.shape.model.unwrap().optional().openapi({ description: 'only this model type\'s section (the status stays the whole cluster\'s)', example: 'clip' }) }) },
    responses: {
      200: {
        ...h.ok('The drift report (the full one: no credentials configured, or an admin credential)', Drift, driftStatusExample),
        content: {
          'application/json': {
            schema: z.union([Drift, Summary]),
            examples: {
              report: { summary: 'operator (or no credentials configured)', value: driftStatusExample },
              summary: { summary: 'anyone else once credentials are configured', value: { status: 'warn', monitoring: true, generated_at: driftStatusExample.generated_at } },
            },
          },
        },
      },
      ...h.errors(DRIFT_ERRORS),
    },
  });
}
