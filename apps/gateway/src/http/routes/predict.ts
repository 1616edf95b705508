import type { ModelType, PredictionResponse, PredictionResult } from '@cataract/contracts';
import { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { PredictionClient } from '../../dispatch/model-client';
import { clientGoneSignal } from '../middleware/request-context';
import { RetainUpload, retainedResult } from '../../retention/retain-upload';
import type { EndpointInfo } from './endpoint';

export interface PredictRouteDeps {
  client: PredictionClient;
  /** Upload middleware chain (multer + header check) that fills res.locals.upload. */
  upload: RequestHandler[];
  /** The model types this router answers, one POST /predict_<type> each. */
  models: readonly ModelType[];
  /** SAVE_UPLOADS: keeps the upload and its answer before the answer is sent. */
  retain?: RetainUpload;
}

export function toPredictionResponse(model: ModelType, result: PredictionResult, req: Request, res: Response): PredictionResponse {
  return {
    prediction: result.prediction,
    confidence: result.confidence,
    probabilities: result.probabilities,
    model_used: model,
    model_version: result.model_version,
    processing_time: Number(((performance.now() - res.locals.receivedAt) / 1000).toFixed(4)),
    actor_id: result.actor_id,
    request_id: String(req.id),
  };
}

/**
 * POST /predict_<model>: store the upload once, ask the model, release the upload whatever happens
 * (the one job that reads it deletes it with its answer; release() covers every other ending).
 */
export function predictHandler(client: PredictionClient, model: ModelType, retain?: RetainUpload): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const image = res.locals.upload;
    if (!image) return next(new Error('predict route mounted without the upload middleware'));
    const ctx = { requestId: String(req.id), deadline: res.locals.deadline, signal: clientGoneSignal(res) };
    let upload;
    try {
      upload = client.storeUpload(image.buffer, ctx, { singleReader: true });
      const result = await client.predict(model, upload, ctx);
      const body = toPredictionResponse(model, result, req, res);
      await retain?.(req, res, { endpoint: `/predict_${model}`, results: { [model]: retainedResult(result) }, answer: body });
      res.json(body);
    } catch (err) {
      next(err);
    } finally {
      await upload?.release();
    }
  };
}

export function predictRouter(deps: PredictRouteDeps): { router: Router; endpoints: EndpointInfo[] } {
  const router = Router();
  const endpoints: EndpointInfo[] = [];
  for (const model of deps.models) {
    const path = `/predict_${model}`;
    router.post(path, ...deps.upload, predictHandler(deps.client, model, deps.retain));
    endpoints.push({ method: 'POST', path, description: `classify an eye photo (multipart field "file" or "image") with the ${model} model` });
  }
  return { router, endpoints };
}
