import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnsembleCombiner, EnsembleFileSchema, EnsembleFile, EnsembleWeights } from '@cataract/contracts';
import { CascadeBand, DEFAULT_CASCADE_BAND, parseBand } from './band';
import { EnsembleConfigError } from './errors';
import { normaliseWeights, parseWeights } from './weights';

export interface EnsembleSettings {
  weights: EnsembleWeights;
  /** P(cataract) >= threshold -> "cataract". */
  threshold: number;
  band: CascadeBand;
  /** How the weighted members' probabilities are combined (the file's; env weights mean a plain weighted mean). */
  combiner: EnsembleCombiner;
  /** Where the weights came from: env ENSEMBLE_WEIGHTS, MODELS_DIR/ensemble.json, or the built-in equal weights. */
  source: 'env' | 'file' | 'default';
}

/** models/ensemble.json, written by tools/src/choose-ensemble-weights.ts. */
export const ENSEMBLE_FILE = 'ensemble.json';

const EQUAL_WEIGHTS: EnsembleWeights = { lgbm: 0.5, clip: 0.5 };
const MEAN: EnsembleCombiner = { kind: 'mean' };

/**
 * The ensemble's defaults come from MODELS_DIR/ensemble.json (weights, combiner and cascade band
 * chosen on the members' out-of-fold predictions, with how); ENSEMBLE_WEIGHTS and CASCADE_BAND override. A present but invalid file or
 * variable stops the gateway at start instead of serving with silently different weights.
 */
export function loadEnsembleSettings(env: { ENSEMBLE_WEIGHTS?: string; CASCADE_BAND?: string }, modelsDir: string): EnsembleSettings {
  const file = readEnsembleFile(join(modelsDir, ENSEMBLE_FILE));
  const band = env.CASCADE_BAND !== undefined ? parseBand(env.CASCADE_BAND) : (file?.cascade_band ?? DEFAULT_CASCADE_BAND);
  const threshold = file?.threshold ?? 0.5;
  // Operator weights are a plain weighted mean: the file's logit bias/scale were fitted for its own weights.
  if (env.ENSEMBLE_WEIGHTS !== undefined) return { weights: parseWeights(env.ENSEMBLE_WEIGHTS), threshold, band, combiner: MEAN, source: 'env' };
  if (file) return { weights: normaliseWeights(file.weights, ENSEMBLE_FILE), threshold, band, combiner: file.combiner ?? MEAN, source: 'file' };
  return { weights: EQUAL_WEIGHTS, threshold, band, combiner: MEAN, source: 'default' };
}

function readEnsembleFile(path: string): EnsembleFile | undefined {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EnsembleConfigError(path, `unreadable (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new EnsembleConfigError(path, 'not JSON');
  }
  const parsed = EnsembleFileSchema.safeParse(json);
  if (!parsed.success) throw new EnsembleConfigError(path, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  return parsed.data;
}
