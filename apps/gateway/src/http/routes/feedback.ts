import { FeedbackRequestSchema, type FeedbackResponse } from '@cataract/contracts';
import express, { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { BodyTooLargeError, InvalidFeedbackError, UploadsNotRetainedError } from '../../errors';
import type { ReviewedSidecar, ReviewStore } from '../../retention/review-store';
import type { EndpointInfo } from './endpoint';

/**
 * Called after a review was written (not for an idempotent repeat), with the sidecar as it now is
 * on disk: how other parts (drift's accuracy against reviewed labels) learn of reviews without
 * reading CUSTOMER_DATA_DIR. Its failure is logged, never the client's error: the review is kept.
 */
export type OnFeedback = (sidecar: ReviewedSidecar) => void | Promise<void>;

export interface FeedbackRouteDeps {
  /** Undefined when SAVE_UPLOADS is off: every request answers 409 uploads_not_retained. */
  reviews: Pick<ReviewStore, 'review'> | undefined;
  /** requireClient, the rate limit and requireReviewer, in that order. */
  guards: RequestHandler[];
  onFeedback?: OnFeedback;
}

const BODY_LIMIT = '16kb';

/** express.json, its refusals as the API's errors (its own are plain 400/413 without our shape). */
function jsonBody(): RequestHandler {
  const parse = express.json({ limit: BODY_LIMIT, strict: true });
  return (req, res, next) =>
    parse(req, res, (err?: unknown) => {
      if (err === undefined) return next();
      const type = (err as { type?: string }).type;
      if (type === 'entity.too.large') return next(new BodyTooLargeError(BODY_LIMIT.replace('kb', ' KB')));
      next(new InvalidFeedbackError(type === 'entity.parse.failed' ? 'the body is not valid JSON' : (err as Error).message, err));
    });
}

/** POST /feedback { request_id, label, note?, replace? }: a reviewed label into a retained upload's sidecar. */
export function feedbackRouter(deps: FeedbackRouteDeps): { router: Router; endpoints: EndpointInfo[] } {
  const router = Router();
  const retained: RequestHandler = (_req, _res, next) => next(deps.reviews ? undefined : new UploadsNotRetainedError());
  router.post('/feedback', ...deps.guards, retained, jsonBody(), async (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('application/json')) return next(new InvalidFeedbackError('send it with Content-Type: application/json'));
    const parsed = FeedbackRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      return next(new InvalidFeedbackError(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')));
    }
    const { request_id, label, note, replace } = parsed.data;
    try {
      const { sidecar, changed } = await deps.reviews!.review(request_id, { label, note, replace, reviewerKeyId: res.locals.apiKeyId ?? null });
      req.log?.info({ record: sidecar.record_id, label, changed, replaced: changed && (sidecar.review.previous?.length ?? 0) > 0 }, 'feedback recorded');
      if (changed && deps.onFeedback) {
        await Promise.resolve()
          .then(() => deps.onFeedback!(sidecar))
          .catch((err: Error) => req.log?.warn({ err: err.message }, 'onFeedback hook failed (the review is kept)'));
      }
      const body: FeedbackResponse = { request_id, record_id: sidecar.record_id, answered: sidecar.answer.prediction, review: sidecar.review, changed };
      res.json(body);
    } catch (err) {
      next(err);
    }
  });
  return {
    router,
    endpoints: [{ method: 'POST', path: '/feedback', description: 'record a reviewed label ("cataract" or "normal") for a retained upload, by its request_id (needs SAVE_UPLOADS)' }],
  };
}
