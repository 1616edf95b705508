import { ENSEMBLE_MODELS, EnsembleCombiner, EnsembleModel, EnsembleWeights, logit, sigmoid } from '@cataract/contracts';

/** P(cataract) of the members that answered. */
export type MemberProbabilities = Partial<Record<EnsembleModel, number>>;

/**
 * Weighted average of the members' P(cataract), over the members that answered: a missing member's
 * weight is dropped and the others renormalised, so one member alone gives its own probability.
 * When only zero-weighted members answered, their plain mean is used (an answer beats none).
 * The `logit` combiner (fitted by tools/src/choose-ensemble-weights.ts) averages log-odds instead and
 * maps them through its bias and scale; it applies only when every weighted member answered, since
 * its bias and scale were fitted on both.
 */
export function combineProbabilities(ps: MemberProbabilities, weights: EnsembleWeights, combiner: EnsembleCombiner = { kind: 'mean' }): number {
  const present = ENSEMBLE_MODELS.filter((m) => ps[m] !== undefined);
  if (present.length === 0) throw new RangeError('no ensemble member answered');
  for (const m of present) {
    const p = ps[m]!;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${m} P(cataract) must be a probability, got ${p}`);
  }
  if (present.length === 1) return ps[present[0]]!; // exactly its own answer, no rounding
  const total = present.reduce((s, m) => s + weights[m], 0);
  if (combiner.kind === 'logit' && present.length === ENSEMBLE_MODELS.length && total > 0) {
    const z = present.reduce((s, m) => s + (weights[m] / total) * logit(ps[m]!), 0);
    return sigmoid(combiner.bias + combiner.scale * z);
  }
  if (total === 0) return present.reduce((s, m) => s + ps[m]!, 0) / present.length;
  const p = present.reduce((s, m) => s + weights[m] * ps[m]!, 0) / total;
  return Math.min(1, Math.max(0, p)); // rounding must not leave [0, 1]
}
