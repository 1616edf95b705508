import { z } from 'zod';

/** Class names of every model's answer (field names follow the original Python API). */
export const LABELS = ['cataract', 'normal'] as const;
export const LabelSchema = z.enum(LABELS);
export type Label = z.infer<typeof LabelSchema>;

const probability = z.number().min(0).max(1);

/** `{ cataract: p, normal: 1 - p }`. */
export const ProbabilitiesSchema = z.object({ cataract: probability, normal: probability });
export type Probabilities = z.infer<typeof ProbabilitiesSchema>;

export interface Decision {
  prediction: Label;
  /** Probability of the predicted class. */
  confidence: number;
  probabilities: Probabilities;
}

/** Turns P(cataract) into the API's decision: cataract when p >= threshold. */
export function decide(pCataract: number, threshold: number): Decision {
  if (!Number.isFinite(pCataract) || pCataract < 0 || pCataract > 1) {
    throw new RangeError(`P(cataract) must be a probability, got ${pCataract}`);
  }
  const probabilities = { cataract: pCataract, normal: 1 - pCataract };
  const prediction: Label = pCataract >= threshold ? 'cataract' : 'normal';
  return { prediction, confidence: probabilities[prediction], probabilities };
}
