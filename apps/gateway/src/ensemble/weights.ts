import { ENSEMBLE_MODELS, EnsembleModel, EnsembleWeights, EnsembleWeightsSchema } from '@cataract/contracts';
import { EnsembleConfigError } from './errors';

/**
 * Parses ENSEMBLE_WEIGHTS, e.g. "lgbm=0.3,clip=0.7" (any non-negative numbers naming both members,
 * not both zero), and scales them to sum to 1 so responses show comparable numbers.
 */
export function parseWeights(text: string): EnsembleWeights {
  const seen = new Map<EnsembleModel, number>();
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z]+)\s*=\s*([0-9]*\.?[0-9]+(?:e-?[0-9]+)?)$/i.exec(part);
    if (!m) throw new EnsembleConfigError('ENSEMBLE_WEIGHTS', `"${part}" is not <model>=<weight>`);
    const name = m[1].toLowerCase() as EnsembleModel;
    if (!ENSEMBLE_MODELS.includes(name)) throw new EnsembleConfigError('ENSEMBLE_WEIGHTS', `unknown model "${m[1]}" (known: ${ENSEMBLE_MODELS.join(', ')})`);
    if (seen.has(name)) throw new EnsembleConfigError('ENSEMBLE_WEIGHTS', `"${name}" given twice`);
    seen.set(name, Number(m[2]));
  }
  const missing = ENSEMBLE_MODELS.filter((n) => !seen.has(n));
  if (missing.length > 0) throw new EnsembleConfigError('ENSEMBLE_WEIGHTS', `missing ${missing.join(', ')} (e.g. "lgbm=0.3,clip=0.7")`);
  return normaliseWeights({ lgbm: seen.get('lgbm')!, clip: seen.get('clip')! }, 'ENSEMBLE_WEIGHTS');
}

/** Validates and scales weights to sum 1. */
export function normaliseWeights(w: EnsembleWeights, source: string): EnsembleWeights {
  const parsed = EnsembleWeightsSchema.safeParse(w);
  if (!parsed.success) throw new EnsembleConfigError(source, parsed.error.issues.map((i) => i.message).join('; '));
  const sum = w.lgbm + w.clip;
  return { lgbm: w.lgbm / sum, clip: w.clip / sum };
}
