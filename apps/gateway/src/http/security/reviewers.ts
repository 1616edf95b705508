import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { NotAReviewerError } from '../../errors/feedback-errors';
import { keyId, parseApiKeys } from './api-keys';

/**
 * REVIEWER_KEYS: the client keys that may record reviewed labels (POST /feedback), each given as
 * the key itself or as its key id (the 8 hex digits /metrics and the logs show, so an operator can
 * name a clinician's key without copying it into another variable). Every entry must name a key of
 * API_KEYS: a typo would otherwise silently lock every reviewer out, so it stops the start instead.
 * Returns the key ids; empty (unset) lets every client key review.
 */
export function parseReviewerKeys(value: string | undefined, apiKeys: readonly string[]): string[] {
  const entries = parseApiKeys(value);
  if (entries.length === 0) return [];
  if (apiKeys.length === 0) throw new Error('REVIEWER_KEYS is set but API_KEYS is not: reviewers are client keys');
  const byId = new Map(apiKeys.map((k) => [keyId(k), k]));
  const ids = entries.map((entry) => {
    if (apiKeys.includes(entry)) return keyId(entry);
    if (byId.has(entry)) return entry;
    throw new Error(`REVIEWER_KEYS entry #${entries.indexOf(entry) + 1} is neither a key of API_KEYS nor the id of one`);
  });
  return [...new Set(ids)];
}

/**
 * After requireClient: a client key outside REVIEWER_KEYS gets 403. A no-op when REVIEWER_KEYS is
 * unset or auth is off (then nobody has a key id and everyone may review, as everyone may predict).
 */
export function requireReviewer(reviewerKeyIds: readonly string[]): RequestHandler {
  const allowed = new Set(reviewerKeyIds);
  return (_req: Request, res: Response, next: NextFunction) => {
    if (allowed.size === 0 || res.locals.apiKeyId === undefined) return next();
    next(allowed.has(res.locals.apiKeyId) ? undefined : new NotAReviewerError());
  };
}
