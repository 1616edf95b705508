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
  processingSeconds?: number;
  requestId?: string;
  rows: ModelRow[];
  /** Plain sentences about how the answer came about (cascade decision, a failed model, fallback). */
  notes: string[];
}

export function toResultModel({ response, fellBack }: PredictOutcome): ResultModel {
  const rows = modelRows(response);
  const notes: string[] = [];
  if (fellBack) notes.push('This server has no ensemble endpoint yet, so the answer comes from the LightGBM model alone.');
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
    processingSeconds: typeof response.processing_time === 'number' ? response.processing_time : undefined,
    requestId: typeof response.request_id === 'string' ? response.request_id : undefined,
    rows,
    notes,
  };
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

/** One sentence on what the cascade decided, or undefined when the cascade was not used. */
export function cascadeNote(response: PredictionResponse): string | undefined {
  if (response.strategy !== 'cascade') return undefined;
  const models = response.models ?? {};
  const first = models.lgbm;
  const second = models.clip;
  if (first && isModelError(first)) return 'Cascade: LightGBM failed, so the answer had to come from CLIP.';
  const facts: string[] = [];
  if (first) facts.push(`confidence ${formatPercent(first.confidence)}`);
  const threshold = cascadeThreshold(response);
  if (threshold !== undefined) facts.push(`needed ${formatPercent(threshold)}`);
  const why = facts.length > 0 ? ` (${facts.join(', ')})` : '';
  if (second == null) return `Cascade: LightGBM was sure enough${why}, so CLIP was not asked.`;
  if (isModelError(second)) return `Cascade: LightGBM was unsure${why}, so CLIP was asked, but it failed.`;
  return `Cascade: LightGBM was unsure${why}, so CLIP was asked too; the verdict combines both.`;
}

/** The confidence the first model needed, when the server reports it (`cascade.threshold`). */
function cascadeThreshold(response: PredictionResponse): number | undefined {
  const cascade = response.cascade;
  if (typeof cascade !== 'object' || cascade === null) return undefined;
  const t = (cascade as { threshold?: unknown }).threshold;
  return typeof t === 'number' && t > 0 && t < 1 ? t : undefined;
}
