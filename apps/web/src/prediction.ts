/**
 * The shapes the page reads from the prediction endpoints, kept loose on purpose: the page must
 * still show what it can when an optional field is missing or a newer server adds fields.
 */
export type Verdict = 'cataract' | 'normal';
export type Strategy = 'weighted' | 'cascade';

export interface Probabilities {
  cataract: number;
  normal: number;
}

export interface ModelError {
  error: { code?: string; message?: string };
}

export interface ModelAnswer {
  prediction: Verdict;
  confidence: number;
  probabilities: Probabilities;
  model_version?: string;
  processing_time?: number;
}

/** 200 body of `/predict_ensemble` (and of `/predict_lgbm` / `/predict_clip`, which lack `models`). */
export interface PredictionResponse extends ModelAnswer {
  model_used: string;
  request_id?: string;
  strategy?: Strategy;
  degraded?: boolean;
  models?: Record<string, ModelAnswer | ModelError | undefined>;
  /** The configured weights of P(cataract) per member (ensemble only). */
  weights?: Record<string, number>;
  /** How the cascade decided (cascade only): lgbm's P(cataract), and whether it fell inside the unsure band so CLIP was asked. */
  cascade?: CascadeDecision;
  [extra: string]: unknown;
}

export interface CascadeDecision {
  /** [low, high]: lgbm P(cataract) inside this band counts as unsure. */
  band?: [number, number];
  lgbm_p?: number | null;
  clip_called?: boolean;
}

export function isModelError(answer: ModelAnswer | ModelError): answer is ModelError {
  return typeof (answer as ModelError).error === 'object' && (answer as ModelError).error !== null;
}

export function isPredictionResponse(body: unknown): body is PredictionResponse {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Partial<PredictionResponse>;
  return (
    (b.prediction === 'cataract' || b.prediction === 'normal') &&
    typeof b.probabilities === 'object' &&
    b.probabilities !== null &&
    typeof b.probabilities.cataract === 'number'
  );
}
