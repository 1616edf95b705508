import { BatchItem, BatchModel, BatchModelSchema, BatchResponse, BatchSummary, EnsembleStrategySchema, ModelType } from '@cataract/contracts';
import { mapLimit } from '@cataract/concurrency';
import { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { PredictionClient } from '../../dispatch/model-client';
import { EnsemblePredictor, EnsembleSettings, toEnsembleResponse, UnknownStrategyError } from '../../ensemble';
import { ClientGoneError, DeadlineExceededError, HttpError, ServiceUnavailableError, UnknownBatchModelError } from '../../errors';
import { retainedResult, type RetainUpload } from '../../retention/retain-upload';
import type { BatchPhoto } from '../batch-upload';
import { clientGoneSignal } from '../middleware/request-context';
import { ensembleObserver, type DriftWindow } from '../../drift';
import type { EndpointInfo } from './endpoint';
import { retainedMembers } from './ensemble';
import { toPredictionResponse } from './predict';

export interface BatchRouteDeps {
  client: PredictionClient;
  /** batchUpload (batch-upload.ts), then the per-photo rate charge, in that order. */
  upload: RequestHandler[];
  /** The in-flight budget by the models a photo goes to (fair-share.ts), when it is on. */
  share?: (models: number) => RequestHandler;
  settings: EnsembleSettings;
  servedModels: readonly ModelType[];
  /** BATCH_CONCURRENCY: photos of one batch in flight at once. */
  concurrency: number;
  /** REQUEST_TIMEOUT_MS, for the message of a photo the shared deadline left unanswered. */
  requestTimeoutMs: number;
  /** SAVE_UPLOADS: each answered photo is kept as its own record, with its own request id. */
  retain?: RetainUpload;
  /** Drift monitoring: counts whether lgbm and clip agreed on each ensemble photo. */
  drift?: Pick<DriftWindow, 'recordEnsemble'>;
}

declare module 'express-serve-static-core' {
  interface Locals {
    batchModel?: BatchModel;
  }
}

/** ?model= and ?strategy= are checked before the body is read, so a bad query costs no upload parsing. */
const batchParams: RequestHandler = (req, res, next) => {
  const model = BatchModelSchema.safeParse(req.query.model ?? 'ensemble');
  if (!model.success) return next(new UnknownBatchModelError(req.query.model));
  const strategy = EnsembleStrategySchema.safeParse(req.query.strategy ?? 'weighted');
  if (!strategy.success) return next(new UnknownStrategyError(req.query.strategy));
  res.locals.batchModel = model.data;
  res.locals.strategy = strategy.data;
  next();
};

/** A photo's id: the batch's request id and its index, so logs, answers and retained records tie back to the batch. */
export const photoRequestId = (batchId: string, index: number) => `${batchId}:${index}`;

/**
 * POST /predict_batch?model=lgbm|clip|ensemble: up to MAX_BATCH_FILES photos in field `images`,
 * each asked exactly as its single route would (the same model client and ensemble predictor),
 * BATCH_CONCURRENCY at a time, all under the request's one deadline. Each photo's answer or error
 * stands alone; only when every photo met the same kind of outage (503: no actor, queue full,
 * Redis) does the whole request answer 503 with Retry-After, as a single upload would.
 */
export function batchRouter(deps: BatchRouteDeps): { router: Router; endpoints: EndpointInfo[] } {
  const router = Router();
  const predictor = new EnsemblePredictor(deps.client, deps.settings, deps.servedModels, ensembleObserver(deps.drift));
  const shares = deps.share ? { 1: deps.share(1), 2: deps.share(2) } : undefined;
  const share: RequestHandler = (req, res, next) => (shares ? shares[res.locals.batchModel === 'ensemble' ? 2 : 1](req, res, next) : next());

  router.post('/predict_batch', batchParams, ...deps.upload, share, async (req: Request, res: Response, next: NextFunction) => {
    const photos = res.locals.batch;
    const model = res.locals.batchModel ?? 'ensemble';
    if (!photos) return next(new Error('batch route mounted without the batch upload middleware'));
    const signal = clientGoneSignal(res);
    const batchId = String(req.id);
    const strategy = res.locals.strategy ?? 'weighted';
    try {
      const results = await mapLimit(photos, deps.concurrency, (photo, i) => answerOne(photo, photoRequestId(batchId, i)));
      if (signal.aborted) return next(new ClientGoneError());
      const summary = summarize(results);
      const outage = summary.ok === 0 ? sharedOutage(results) : undefined;
      if (outage) return next(outage);
      const body: BatchResponse = {
        model_used: model,
        results: results.map((r) => r.item),
        summary,
        request_id: batchId,
        processing_time: Number(((performance.now() - res.locals.receivedAt) / 1000).toFixed(4)),
        timestamp: new Date().toISOString(),
      };
      res.json(body);
    } catch (err) {
      next(err);
    }

    async function answerOne(photo: BatchPhoto, id: string): Promise<Outcome> {
      if (!photo.ok) return failed(photo.error, id);
      if (signal.aborted) return failed(new ClientGoneError(), id);
      if (Date.now() >= res.locals.deadline) return failed(new DeadlineExceededError(deps.requestTimeoutMs), id);
      const ctx = { requestId: id, deadline: res.locals.deadline, signal };
      let stored;
      try {
        stored = deps.client.storeUpload(photo.upload.buffer, ctx, { singleReader: model !== 'ensemble' });
        const keep = { endpoint: '/predict_batch', upload: photo.upload, requestId: id };
        if (model === 'ensemble') {
          const answer = await predictor.predict(stored, ctx, strategy);
          const processingSeconds = (performance.now() - res.locals.receivedAt) / 1000;
          const item = toEnsembleResponse(answer, deps.settings.weights, { requestId: id, processingSeconds });
          await deps.retain?.(req, res, { ...keep, results: retainedMembers(item.models), answer: item });
          return { item };
        }
        const result = await deps.client.predict(model, stored, ctx);
        const item = { ...toPredictionResponse(model, result, req, res), request_id: id };
        await deps.retain?.(req, res, { ...keep, results: { [model]: retainedResult(result) }, answer: item });
        return { item };
      } catch (err) {
        if (!(err instanceof HttpError) && !(err instanceof ClientGoneError)) req.log?.error({ err, photo: id }, 'batch photo failed');
        return failed(err, id);
      } finally {
        await stored?.release();
      }
    }
  });

  return {
    router,
    endpoints: [{ method: 'POST', path: '/predict_batch', description: 'classify several eye photos (repeated multipart field "images") with ?model=lgbm|clip|ensemble (default ensemble); one result per photo, in order' }],
  };
}

/** One photo's outcome; `error` is kept beside the item to decide a shared outage. */
interface Outcome {
  item: BatchItem;
  error?: unknown;
}

function failed(err: unknown, id: string): Outcome {
  // Only HTTP errors carry client-safe messages (a ClientGoneError's batch is never answered).
  const http = err instanceof HttpError ? err : new HttpError(500, 'internal_error', 'internal server error');
  return { item: { error: { code: http.code, message: http.message }, status: http.status, request_id: id }, error: err };
}

function summarize(outcomes: readonly Outcome[]): BatchSummary {
  const counts = { cataract: 0, normal: 0 };
  let confidence = 0;
  let ok = 0;
  for (const { item } of outcomes) {
    if ('error' in item) continue;
    counts[item.prediction]++;
    confidence += item.confidence;
    ok++;
  }
  return { total: outcomes.length, ok, failed: outcomes.length - ok, counts, mean_confidence: ok > 0 ? Number((confidence / ok).toFixed(4)) : null };
}

/** Every photo failed with a 503 (not one refused image among them): the batch as a whole is a 503. */
function sharedOutage(outcomes: readonly Outcome[]): ServiceUnavailableError | undefined {
  const errors = outcomes.map((o) => o.error);
  if (errors.length === 0 || !errors.every((e) => e instanceof ServiceUnavailableError)) return undefined;
  const first = errors[0] as ServiceUnavailableError;
  const retry = Math.max(...errors.map((e) => (e as ServiceUnavailableError).retryAfterSeconds));
  return new ServiceUnavailableError(first.code, `no photo of the batch could be answered: ${first.message}`, retry, first);
}
