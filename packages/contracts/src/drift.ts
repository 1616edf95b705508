import { z } from 'zod';
import { ModelTypeSchema } from './model-types';

/** ok: nothing crossed a warn threshold; warn: something did; alert: something crossed an alert threshold. */
export const DriftLevelSchema = z.enum(['ok', 'warn', 'alert']);
export type DriftLevel = z.infer<typeof DriftLevelSchema>;

/** A check's verdict; `insufficient` while the window holds fewer answers (or reviews) than the minimum. */
export const DriftCheckLevelSchema = z.enum(['ok', 'warn', 'alert', 'insufficient']);
export type DriftCheckLevel = z.infer<typeof DriftCheckLevelSchema>;

const rate = z.number().min(0).max(1).nullable();
const perStatistic = <T extends z.ZodType>(v: T) => z.object({ long_side: v, brightness: v, colourfulness: v, sharpness: v });

/** One model version's figures over the window. */
export const DriftVersionSchema = z.object({
  version: z.string(),
  /** The version the cluster serves for its type now (the overall status looks at these only). */
  serving: z.boolean(),
  answers: z.number().int().nonnegative(),
  positive_rate: rate,
  /** Cataract share of the photos the version was trained on (its manifest), the positive rate's baseline. */
  training_positive_rate: rate,
  input: z.object({
    /** Answers that carried input statistics. */
    samples: z.number().int().nonnegative(),
    /** Whether the version ships reference-stats.json, and if not, why PSI is missing. */
    reference: z.object({ available: z.boolean(), reason: z.string().optional(), samples: z.number().int().positive().optional() }),
    /** Population stability index per statistic against the reference (null: no reference or no samples). */
    psi: perStatistic(z.number().nonnegative().nullable()),
    /** Mean of each statistic over the window (null without samples). */
    mean: perStatistic(z.number().nullable()),
  }),
  reviews: z.object({ count: z.number().int().nonnegative(), correct: z.number().int().nonnegative(), accuracy: rate }),
  checks: z.object({ psi: DriftCheckLevelSchema, positive_rate: DriftCheckLevelSchema, accuracy: DriftCheckLevelSchema }),
});
export type DriftVersion = z.infer<typeof DriftVersionSchema>;

/** 200 answer of GET /drift_status. */
export const DriftStatusSchema = z.object({
  status: DriftLevelSchema,
  /** Why the status is not ok, one line per crossed threshold (empty when ok). */
  reasons: z.array(z.string()),
  /** False when DRIFT_MONITORING=false: nothing is recorded and the figures stay as they were. */
  monitoring: z.boolean(),
  generated_at: z.iso.datetime(),
  /** The rolling window: the last `answers` answers of each model version, of the last `hours` hours (null: no time bound). */
  window: z.object({ answers: z.number().int().positive(), hours: z.number().positive().nullable() }),
  thresholds: z.object({
    min_answers: z.number().int().nonnegative(),
    min_reviews: z.number().int().nonnegative(),
    psi: z.object({ warn: z.number(), alert: z.number() }),
    positive_rate_shift: z.object({ warn: z.number(), alert: z.number() }),
    disagreement_rate: z.object({ warn: z.number(), alert: z.number() }),
    accuracy: z.object({ warn: z.number(), alert: z.number() }),
  }),
  models: z.partialRecord(ModelTypeSchema, z.object({ serving_version: z.string().nullable(), versions: z.array(DriftVersionSchema) })),
  /** lgbm-vs-clip on ensemble answers where both members answered. */
  ensemble: z.object({ answers: z.number().int().nonnegative(), disagreements: z.number().int().nonnegative(), disagreement_rate: rate, check: DriftCheckLevelSchema }),
});
export type DriftStatus = z.infer<typeof DriftStatusSchema>;

/** GET /drift_status's query: only `model` (one type's section); anything else is a 400. */
export const DriftQuerySchema = z.strictObject({ model: ModelTypeSchema.optional() });

/**
 * GET /drift_status for anyone without an operator credential once credentials are configured:
 * the verdict only (the try-it page's footer shows it), not the versions' figures.
 */
export const DriftSummarySchema = DriftStatusSchema.pick({ status: true, monitoring: true, generated_at: true });
export type DriftSummary = z.infer<typeof DriftSummarySchema>;
