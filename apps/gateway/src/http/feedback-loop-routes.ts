import type { RequestHandler, Router } from 'express';
import type { AppDeps } from './app';
import { batchUpload } from './batch-upload';
import { batchRouter } from './routes/batch';
import type { EndpointInfo } from './routes/endpoint';
import { feedbackRouter } from './routes/feedback';
import { batchCharge } from './security/batch-charge';
import { requireReviewer } from './security/reviewers';

/**
 * POST /predict_batch and POST /feedback, built from the app's parts. Both sit behind the client
 * key and the rate limit that app.ts mounts on every prediction path; a batch then spends one unit
 * of the rate limit per photo and its photos' decode cost of the in-flight budget (`share`).
 */
export function feedbackLoopRouters(deps: AppDeps, share: ((models: number) => RequestHandler) | undefined): Array<{ router: Router; endpoints: EndpointInfo[] }> {
  const { config } = deps;
  const charge = batchCharge({ perMinute: config.rateLimitPerMinute, redis: deps.redis, logger: deps.logger });
  const upload = batchUpload({ maxFiles: config.batch.maxFiles, maxBytes: config.maxUploadBytes, maxTotalBytes: config.batch.maxTotalBytes, maxPixels: config.maxImagePixels });
  const batch = batchRouter({
    client: deps.client,
    upload: [...upload, ...(charge ? [charge] : [])],
    share,
    settings: config.ensemble,
    servedModels: config.servedModels,
    concurrency: config.batch.concurrency,
    requestTimeoutMs: config.requestTimeoutMs,
    retain: deps.retain,
    drift: deps.drift?.window,
  });
  const feedback = feedbackRouter({ reviews: deps.reviews, guards: [requireReviewer(config.reviewerKeyIds)], onFeedback: deps.onFeedback });
  return [batch, feedback];
}
