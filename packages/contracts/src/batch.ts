import { z } from 'zod';
import { EnsembleResponseSchema } from './ensemble';
import { ErrorDetailSchema } from './error-codes';
import { PredictionResponseSchema } from './http';

/** The routes a batch can ask, by `?model=` of POST /predict_batch. */
export const BatchModelSchema = z.enum(['lgbm', 'clip', 'ensemble']);
export type BatchModel = z.infer<typeof BatchModelSchema>;

/** One photo of a batch that got no answer: its own error, the status a single upload would have had, its id. */
export const BatchItemErrorSchema = z.object({
  error: ErrorDetailSchema,
  status: z.number().int().min(400).max(599),
  request_id: z.string(),
});
export type BatchItemError = z.infer<typeof BatchItemErrorSchema>;

export const BatchItemSchema = z.union([EnsembleResponseSchema, PredictionResponseSchema, BatchItemErrorSchema]);
export type BatchItem = z.infer<typeof BatchItemSchema>;

export const BatchSummarySchema = z.object({
  /** Photos sent. */
  total: z.number().int().nonnegative(),
  /** Photos answered. */
  ok: z.number().int().nonnegative(),
  /** Photos with an error of their own. */
  failed: z.number().int().nonnegative(),
  /** Answered photos per predicted label. */
  counts: z.object({ cataract: z.number().int().nonnegative(), normal: z.number().int().nonnegative() }),
  /** Mean confidence of the answered photos; null when none was answered. */
  mean_confidence: z.number().min(0).max(1).nullable(),
});
export type BatchSummary = z.infer<typeof BatchSummarySchema>;

/** 200 answer of POST /predict_batch: one result per photo, in the order sent. */
export const BatchResponseSchema = z.object({
  model_used: BatchModelSchema,
  /** Each photo's usual answer (its own request_id, `<batch request id>:<index>`), or its error. */
  results: z.array(BatchItemSchema),
  summary: BatchSummarySchema,
  request_id: z.string(),
  /** Seconds from the gateway receiving the batch to its reply. */
  processing_time: z.number().nonnegative(),
  timestamp: z.iso.datetime(),
});
export type BatchResponse = z.infer<typeof BatchResponseSchema>;
