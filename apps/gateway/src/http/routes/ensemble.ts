import { EnsembleResponse, EnsembleStrategy, EnsembleStrategySchema, ModelType } from '@cataract/contracts';
import { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { EnsemblePredictor, EnsembleSettings, toEnsembleResponse, UnknownStrategyError } from '../../ensemble';
import { clientGoneSignal } from '../middleware/request-context';
import type { PredictionClient } from '../../dispatch/model-client';
import { RetainedResult, RetainUpload, retainedResult } from '../../retention/retain-upload';
import { ensembleObserver, type DriftWindow } from '../../drift';
import type { EndpointInfo } from './endpoint';

export interface EnsembleRouteDeps {
  client: PredictionClient;
  /** Upload middleware chain (multer + header check) that fills res.locals.upload. */
  upload: RequestHandler[];
  settings: EnsembleSettings;
  servedModels: readonly ModelType[];
  /** SAVE_UPLOADS: keeps the upload and the answers before the answer is sent. */
  retain?: RetainUpload;
  /** Drift monitoring: counts whether lgbm and clip agreed. */
  drift?: Pick<DriftWindow, 'recordEnsemble'>;
}

declare module 'express-serve-static-core' {
  interface Locals {
    strategy?: EnsembleStrategy;
  }
}

/** ?strategy= is checked before the upload is read, so a bad query costs no upload parsing. */
const strategyParam: RequestHandler = (req, res, next) => {
  const raw = req.query.strategy ?? 'weighted';
  const parsed = EnsembleStrategySchema.safeParse(raw);
  if (!parsed.success) return next(new UnknownStrategyError(raw));
  res.locals.strategy = parsed.data;
  next();
};

/** POST /predict_ensemble[?strategy=weighted|cascade]: both models over ONE stored upload. */
export function ensembleRouter(deps: EnsembleRouteDeps): { router: Router; endpoints: EndpointInfo[] } {
  const router = Router();
  const predictor = new EnsemblePredictor(deps.client, deps.settings, deps.servedModels, ensembleObserver(deps.drift));
  router.post('/predict_ensemble', strategyParam, ...deps.upload, async (req: Request, res: Response, next: NextFunction) => {
    const image = res.locals.upload;
    if (!image) return next(new Error('ensemble route mounted without the upload middleware'));
    const ctx = { requestId: String(req.id), deadline: res.locals.deadline, signal: clientGoneSignal(res) };
    let upload;
    try {
      upload = deps.client.storeUpload(image.buffer, ctx);
      const answer = await predictor.predict(upload, ctx, res.locals.strategy ?? 'weighted');
      const processingSeconds = (performance.now() - res.locals.receivedAt) / 1000;
      const body = toEnsembleResponse(answer, deps.settings.weights, { requestId: String(req.id), processingSeconds });
      await deps.retain?.(req, res, { endpoint: '/predict_ensemble', results: retainedMembers(body.models), answer: body });
      res.json(body);
    } catch (err) {
      next(err);
    } finally {
      await upload?.release();
    }
  });
  return {
    router,
    endpoints: [
      {
        method: 'POST',
        path: '/predict_ensemble',
        description: `lgbm and clip over one upload, P(cataract) combined (${deps.settings.combiner.kind}) with weights lgbm=${deps.settings.weights.lgbm.toFixed(2)} clip=${deps.settings.weights.clip.toFixed(2)} (${deps.settings.source}); ?strategy=cascade asks clip only when lgbm is within ${deps.settings.band.join('-')}`,
      },
    ],
  };
}

/** Each asked member's own answer (or its error), as retained beside the upload. */
export function retainedMembers(models: EnsembleResponse['models']): Record<string, RetainedResult> {
  const out: Record<string, RetainedResult> = {};
  for (const [m, o] of Object.entries(models)) {
    if (o) out[m] = 'error' in o ? { error: o.error } : retainedResult(o);
  }
  return out;
}
