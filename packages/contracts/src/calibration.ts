import { z } from 'zod';

/**
 * Platt scaling of a model's raw P(cataract): p' = sigmoid(a * logit(p) + b), fitted by the trainer
 * on out-of-fold predictions so the served `confidence` and `probabilities` are frequencies. Applied
 * by the actor to every answer of a model whose manifest carries it; the threshold applies to p'.
 */
export const CalibrationSchema = z.object({
  method: z.literal('platt'),
  a: z.number().finite(),
  b: z.number().finite(),
});
export type Calibration = z.infer<typeof CalibrationSchema>;

/** Probabilities are clamped this far from 0 and 1 before the logit, so 0 and 1 stay finite. */
export const LOGIT_EPSILON = 1e-7;

export function logit(p: number): number {
  const q = Math.min(1 - LOGIT_EPSILON, Math.max(LOGIT_EPSILON, p));
  return Math.log(q / (1 - q));
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function calibrate(p: number, c: Calibration): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`P(cataract) must be a probability, got ${p}`);
  return sigmoid(c.a * logit(p) + c.b);
}
