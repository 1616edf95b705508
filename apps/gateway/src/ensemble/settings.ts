import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnsembleFileSchema, EnsembleWeights } from '@cataract/contracts';
import { CascadeBand, DEFAULT_CASCADE_BAND, parseBand } from './band';
import { EnsembleConfigError } from './errors';
import { normaliseWeights, parseWeights } from './weights';

export interface EnsembleSettings {
  weights: EnsembleWeights;
  /** P(cataract) >= threshold -> "cataract". */
  threshold: number;
  band: CascadeBand;
  /** Where the weights came from: env ENSEMBLE_WEIGHTS, MODELS_DIR/ensemble.json, or the built-in equal weights. */
  source: 'env' | 'file' | 'default';
}

/** models/ensemble.json, written by tools/src/choose-ensemble-weights.ts. */
export const ENSEMBLE_FILE = 'ensemble.json';

const EQUAL_WEIGHTS: EnsembleWeights = { lgbm: 0.5, clip: 0.5 };

/**
 * The ensemble's defaults come from MODELS_DIR/ensemble.json (weights chosen on the validation
 * split, with how); ENSEMBLE_WEIGHTS and CASCADE_BAND override. A present but invalid file or
 * variable stops the gateway at start instead of serving with silently different weights.
 */
export function loadEnsembleSettings(env: { ENSEMBLE_WEIGHTS?: string; CASCADE_BAND?: string }, modelsDir: string): EnsembleSettings {
  const file = readEnsembleFile(join(modelsDir, ENSEMBLE_FILE));
  const band = env.CASCADE_BAND !== undefined ? parseBand(env.CASCADE_BAND) : DEFAULT_CASCADE_BAND;
  const threshold = file?.threshold ?? 0.5;
  if (env.ENSEMBLE_WEIGHTS !== undefined) return { weights: parseWeights(env.ENSEMBLE_WEIGHTS), threshold, band, source: 'env' };
  if (file) return { weights: normaliseWeights(file.weights, ENSEMBLE_FILE), threshold, band, source: 'file' };
  return { weights: EQUAL_WEIGHTS, threshold, band, source: 'default' };
}

function readEnsembleFile(path: string): { weights: EnsembleWeights; threshold: number } | undefined {
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
