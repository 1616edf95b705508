/**
 * What the result panel shows, derived from one prediction response. Pure (no DOM), so the
 * wording of the cascade decision, degraded answers and the fallback is unit-tested.
 */
import type { PredictOutcome } from './api';
import { formatPercent } from './format';
import { compareModelKeys, modelDescription, modelLabel } from './models';
import { isModelError, type ModelAnswer, type PredictionResponse, type Strategy, type Verdict } from './prediction';

export interface ModelRow {
  key: string;
  label: string;
  description?: string;
  version?: string;
  state: 'answered' | 'failed' | 'skipped';
  /** Present when the model answered. */
  answer?: { verdict: Verdict; pCataract: number; confidence: number };
  /** Why there is no answer (failed or not asked). */
  status?: string;
}

export interface ResultModel {
  verdict: Verdict;
  confidence: number;
  pCataract: number;
  /** Who produced the verdict: "ensemble", "lgbm", ... */
  modelUsed: string;
  modelVersion?: string;
  strategy?: Strategy;
  /** e.g. "LightGBM 0.4 · CLIP 0.6", for an ensemble answer. */
  weights?: string;
  processingSeconds?: number;
  requestId?: string;
  rows: ModelRow[];
  /** Plain sentences about how the answer came about (cascade decision, a failed model, fallback). */
  notes: string[];
}

export function toResultModel({ response, fellBack }: PredictOutcome): ResultModel {
  const rows = modelRows(response);
  const notes: string[] = [];
  if (fellBack) notes.push('This server offers no ensemble endpoint, so the answer comes from the LightGBM model alone.');
  const cascade = cascadeNote(response);
  if (cascade) notes.push(cascade);
  const failed = rows.filter((r) => r.state === 'failed');
  if (response.degraded || failed.length > 0) {
    const names = failed.map((r) => r.label).join(' and ') || 'one model';
    notes.push(`Only part of the ensemble answered (${names} failed); the verdict comes from the models that did answer.`);
  }
  return {
    verdict: response.prediction,
    confidence: response.confidence,
    pCataract: response.probabilities.cataract,
    modelUsed: response.model_used,
    modelVersion: response.model_version,
    strategy: response.strategy,
    // Weights matter only when more than one model's answer was combined.
    weights: rows.filter((r) => r.state === 'answered').length > 1 ? describeWeights(response.weights) : undefined,
    processingSeconds: typeof response.processing_time === 'number' ? response.processing_time : undefined,
    requestId: typeof response.request_id === 'string' ? response.request_id : undefined,
    rows,
    notes,
  };
}

function describeWeights(weights: Record<string, number> | undefined): string | undefined {
  if (!weights || typeof weights !== 'object') return undefined;
  const parts = Object.entries(weights)
    .filter(([, w]) => typeof w === 'number')
    .sort(([a], [b]) => compareModelKeys(a, b))
    .map(([key, w]) => `${modelLabel(key)} ${Number(w.toFixed(3))}`);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

function modelRows(response: PredictionResponse): ModelRow[] {
  if (!response.models) {
    // A single-model endpoint: the response itself is the one row.
    return [answerRow(response.model_used, response)];
  }
  const entries = Object.entries(response.models);
  const rows: ModelRow[] = [];
  for (const [key, value] of entries.sort(([a], [b]) => compareModelKeys(a, b))) {
    if (value === undefined || value === null) continue;
    if (isModelError(value)) {
      const why = value.error.message ?? value.error.code ?? 'no reason given';
      rows.push({ key, label: modelLabel(key), description: modelDescription(key), state: 'failed', status: `Failed: ${why}` });
    } else {
      rows.push(answerRow(key, value));
    }
  }
  // The cascade may leave CLIP out entirely; say so instead of silently dropping the row.
  if (response.strategy === 'cascade' && !entries.some(([k, v]) => k === 'clip' && v != null)) {
    rows.push({ key: 'clip', label: modelLabel('clip'), description: modelDescription('clip'), state: 'skipped', status: 'Not asked: LightGBM was sure enough.' });
  }
  return rows;
}

function answerRow(key: string, answer: ModelAnswer): ModelRow {
  return {
    key,
    label: modelLabel(key),
    description: modelDescription(key),
    version: answer.model_version,
    state: 'answered',
    answer: { verdict: answer.prediction, pCataract: answer.probabilities.cataract, confidence: answer.confidence },
  };
}

/**
 * One sentence on what the cascade decided, or undefined when the cascade was not used. Reads the
 * server's `cascade` record (lgbm's P(cataract), the unsure band, whether CLIP was called) and falls
 * back to which members answered when that record is missing.
 */
export function cascadeNote(response: PredictionResponse): string | undefined {
  if (response.strategy !== 'cascade') return undefined;
  const models = response.models ?? {};
  const first = models.lgbm;
  const second = models.clip;
  const decision = response.cascade;
  if (!first || isModelError(first) || decision?.lgbm_p === null) {
    return 'Cascade: LightGBM did not answer, so the answer had to come from CLIP.';
  }
  const p = typeof decision?.lgbm_p === 'number' ? decision.lgbm_p : first.probabilities.cataract;
  const band = decision?.band;
  const clipCalled = decision?.clip_called ?? second != null;
  const bandText = band ? `, ${clipCalled ? 'inside' : 'outside'} the unsure band ${formatPercent(band[0])}–${formatPercent(band[1])}` : '';
  const why = ` (probability of cataract ${formatPercent(p)}${bandText})`;
  if (!clipCalled) return `Cascade: LightGBM was sure enough${why}, so CLIP was not asked.`;
  if (second && isModelError(second)) return `Cascade: LightGBM was unsure${why}, so CLIP was asked, but it failed.`;
  return `Cascade: LightGBM was unsure${why}, so CLIP was asked as well.`;
}
