import { z } from 'zod';
import { ErrorDetailSchema } from './error-codes';
import { PredictionResponseSchema } from './http';
import { PredictionResultSchema } from './job';

/** The model types an ensemble combines. */
export const ENSEMBLE_MODELS = ['lgbm', 'clip'] as const;
export type EnsembleModel = (typeof ENSEMBLE_MODELS)[number];

/** weighted: both models in parallel; cascade: lgbm first, clip only when lgbm is unsure. */
export const EnsembleStrategySchema = z.enum(['weighted', 'cascade']);
export type EnsembleStrategy = z.infer<typeof EnsembleStrategySchema>;

/** Non-negative weights of P(cataract); the ensemble divides by their sum. */
export const EnsembleWeightsSchema = z
  .object({ lgbm: z.number().min(0), clip: z.number().min(0) })
  .refine((w) => w.lgbm + w.clip > 0, 'at least one weight must be positive');
export type EnsembleWeights = z.infer<typeof EnsembleWeightsSchema>;

/**
 * How the members' (calibrated) P(cataract) become one: `mean` = the weighted average; `logit` =
 * stacking fitted on out-of-fold predictions, p = sigmoid(bias + scale * sum_m w_m * logit(p_m)) with
 * the weights normalised to sum 1 (so the weights still say how far each member is trusted).
 */
export const EnsembleCombinerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('mean') }),
  z.object({ kind: z.literal('logit'), bias: z.number().finite(), scale: z.number().finite().positive() }),
]);
export type EnsembleCombiner = z.infer<typeof EnsembleCombinerSchema>;

/** One member's own answer inside an ensemble response, or why it has none. */
export const MemberAnswerSchema = PredictionResultSchema.omit({ status: true, timings: true, input_stats: true });
export type MemberAnswer = z.infer<typeof MemberAnswerSchema>;
export const MemberOutcomeSchema = z.union([MemberAnswerSchema, z.object({ error: ErrorDetailSchema })]);
export type MemberOutcome = z.infer<typeof MemberOutcomeSchema>;

/** 200 answer of POST /predict_ensemble: the usual fields plus how they were reached. */
export const EnsembleResponseSchema = PredictionResponseSchema.extend({
  model_used: z.literal('ensemble'),
  /** e.g. "lgbm:lgbm-2026...+clip:clip-2026..." (only the members that answered). */
  model_version: z.string(),
  /** e.g. "lgbm:<actor id>+clip:<actor id>" (only the members that answered). */
  actor_id: z.string(),
  strategy: EnsembleStrategySchema,
  /** The configured weights (a missing member's weight is simply not applied). */
  weights: EnsembleWeightsSchema,
  /** True when a member that should have answered did not (no actor, failure, timeout). */
  degraded: z.boolean(),
  /** Members asked: their own answer or their error. A cascade that never asked clip omits it. */
  models: z.object({ lgbm: MemberOutcomeSchema.optional(), clip: MemberOutcomeSchema.optional() }),
  cascade: z
    .object({
      band: z.tuple([z.number(), z.number()]),
      /** lgbm's P(cataract), null when lgbm did not answer. */
      lgbm_p: z.number().nullable(),
      clip_called: z.boolean(),
    })
    .optional(),
});
export type EnsembleResponse = z.infer<typeof EnsembleResponseSchema>;

/**
 * models/ensemble.json: the default weights and how they were chosen (written by
 * `node tools/dist/choose-ensemble-weights.js`, read by the gateway; env ENSEMBLE_WEIGHTS overrides).
 */
export const EnsembleFileSchema = z.looseObject({
  weights: EnsembleWeightsSchema,
  threshold: z.number().min(0).max(1),
  /** Absent: the weighted mean. */
  combiner: EnsembleCombinerSchema.optional(),
  /** The cascade's default band on lgbm's calibrated P(cataract) (env CASCADE_BAND overrides). */
  cascade_band: z
    .tuple([z.number().min(0).max(1), z.number().min(0).max(1)])
    .refine(([lo, hi]) => lo <= hi, 'cascade_band must be [lo, hi] with lo <= hi')
    .optional(),
  method: z.string().min(1),
  date: z.string().min(1),
  command: z.string().min(1),
});
export type EnsembleFile = z.infer<typeof EnsembleFileSchema>;
