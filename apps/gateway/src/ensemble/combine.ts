import { ENSEMBLE_MODELS, EnsembleModel, EnsembleWeights } from '@cataract/contracts';

/** P(cataract) of the members that answered. */
export type MemberProbabilities = Partial<Record<EnsembleModel, number>>;

/**
 * Weighted average of the members' P(cataract), over the members that answered: a missing member's
 * weight is dropped and the others renormalised, so one member alone gives its own probability.
 * When only zero-weighted members answered, their plain mean is used (an answer beats none).
 */
export function combineProbabilities(ps: MemberProbabilities, weights: EnsembleWeights): number {
  const present = ENSEMBLE_MODELS.filter((m) => ps[m] !== undefined);
  if (present.length === 0) throw new RangeError('no ensemble member answered');
  for (const m of present) {
    const p = ps[m]!;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${m} P(cataract) must be a probability, got ${p}`);
  }
  if (present.length === 1) return ps[present[0]]!; // exactly its own answer, no rounding
  const total = present.reduce((s, m) => s + weights[m], 0);
  if (total === 0) return present.reduce((s, m) => s + ps[m]!, 0) / present.length;
  const p = present.reduce((s, m) => s + weights[m] * ps[m]!, 0) / total;
  return Math.min(1, Math.max(0, p)); // rounding must not leave [0, 1]
}
