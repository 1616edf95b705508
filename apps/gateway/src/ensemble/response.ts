import { ENSEMBLE_MODELS, EnsembleResponse, EnsembleWeights, ErrorCode, MemberOutcome } from '@cataract/contracts';
import { HttpError } from '../errors';
import type { EnsembleAnswer } from './ensemble-predictor';
import type { MemberResult } from './resolve';

/**
 * The HTTP body of an ensemble answer: the usual prediction fields (model_version and actor_id
 * name each member that answered, e.g. "lgbm:<v>+clip:<v>"), plus every asked member's own
 * answer or error, the strategy, the weights and whether the answer is degraded.
 */
export function toEnsembleResponse(
  answer: EnsembleAnswer,
  weights: EnsembleWeights,
  meta: { requestId: string; processingSeconds: number },
): EnsembleResponse {
  const models: EnsembleResponse['models'] = {};
  for (const m of ENSEMBLE_MODELS) {
    const r = answer.members[m];
    if (r) models[m] = memberOutcome(r);
  }
  const joined = (field: 'model_version' | 'actor_id') =>
    answer.answered.map((m) => `${m}:${(answer.members[m] as Extract<MemberResult, { ok: true }>).result[field]}`).join('+');
  return {
    ...answer.decision,
    model_used: 'ensemble',
    model_version: joined('model_version'),
    processing_time: Number(meta.processingSeconds.toFixed(4)),
    actor_id: joined('actor_id'),
    request_id: meta.requestId,
    timestamp: new Date().toISOString(),
    strategy: answer.strategy,
    weights,
    degraded: answer.degraded,
    models,
    ...(answer.cascade && { cascade: answer.cascade }),
  };
}

function memberOutcome(r: MemberResult): MemberOutcome {
  if (r.ok) {
    const { status: _status, timings: _timings, input_stats: _stats, ...own } = r.result; // timings and input statistics are for /metrics and /drift_status, not clients
    return own;
  }
  // Only HTTP errors carry client-safe messages; anything else is reported without internals.
  const code: ErrorCode = r.error instanceof HttpError ? r.error.code : 'internal_error';
  return { error: { code, message: r.error instanceof HttpError ? r.error.message : 'internal error' } };
}
