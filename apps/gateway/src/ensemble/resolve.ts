import { decide, Decision, EnsembleCombiner, EnsembleModel, EnsembleWeights, PredictionResult } from '@cataract/contracts';
import { ClientGoneError, HttpError, ServiceUnavailableError, UnsupportedImageError } from '../errors';
import { combineProbabilities, MemberProbabilities } from './combine';

/** What one member's predict() came to. */
export type MemberResult = { ok: true; result: PredictionResult } | { ok: false; error: Error };
export type MemberResults = Partial<Record<EnsembleModel, MemberResult>>;

export interface Resolved {
  decision: Decision;
  /** Members whose probability went into the decision, in ENSEMBLE_MODELS order. */
  answered: EnsembleModel[];
  /** A member that should have answered did not. */
  degraded: boolean;
}

/**
 * Turns the members' results into the ensemble's answer or its error:
 *  - a refused image (415) from any member refuses the request: the image is the problem, not a model;
 *  - a client that went away ends it;
 *  - otherwise the members that answered are combined by weight, and a missing one makes the answer
 *    degraded rather than failed; with none answering, the ensemble fails like a single model would.
 * `needed` lists the members the strategy required (a cascade that stopped at lgbm needs only lgbm).
 */
export function resolveMembers(
  members: MemberResults,
  needed: readonly EnsembleModel[],
  weights: EnsembleWeights,
  threshold: number,
  combiner?: EnsembleCombiner,
): Resolved {
  const failures = needed.flatMap((m) => {
    const r = members[m];
    return r && !r.ok ? [{ model: m, error: r.error }] : [];
  });
  const refused = failures.find((f) => f.error instanceof UnsupportedImageError);
  if (refused) throw refused.error;
  const gone = failures.find((f) => f.error instanceof ClientGoneError);
  if (gone) throw gone.error;

  const ps: MemberProbabilities = {};
  const answered: EnsembleModel[] = [];
  for (const m of needed) {
    const r = members[m];
    if (r?.ok) {
      ps[m] = r.result.probabilities.cataract;
      answered.push(m);
    }
  }
  if (answered.length === 0) throw combinedFailure(failures);
  return { decision: decide(combineProbabilities(ps, weights, combiner), threshold), answered, degraded: answered.length < needed.length };
}

/**
 * One error for "no member answered": the status of the most telling failure (a job that failed
 * or timed out, 502/504, over a refusal up front, 503), every member's reason in the message, and
 * the longest Retry-After when all were 503s.
 */
export function combinedFailure(failures: ReadonlyArray<{ model: EnsembleModel; error: Error }>): Error {
  if (failures.length === 0) return new Error('ensemble resolved with no member asked');
  const http = failures.filter((f): f is { model: EnsembleModel; error: HttpError } => f.error instanceof HttpError);
  if (http.length === 0) return failures[0].error; // bugs stay 500s
  const pick = http.find((f) => f.error.status !== 503) ?? http[0];
  const message = `no model of the ensemble answered: ${failures.map((f) => `${f.model}: ${f.error.message}`).join('; ')}`;
  if (pick.error instanceof ServiceUnavailableError) {
    const retry = Math.max(...http.map((f) => (f.error instanceof ServiceUnavailableError ? f.error.retryAfterSeconds : 0)));
    return new ServiceUnavailableError(pick.error.code, message, retry, pick.error);
  }
  return new HttpError(pick.error.status, pick.error.code, message, { headers: { ...pick.error.headers }, cause: pick.error });
}
