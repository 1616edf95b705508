import express, { Express, RequestHandler } from 'express';
import type { ActorRegistry } from './actor-registry';
import type { GatewayConfig } from './config';
import type { Logger } from './logger';
import { errorHandler, notFound } from './middleware/error-handler';
import { httpLogger } from './middleware/http-logger';
import { requestContext } from './middleware/request-context';
import type { ModelCatalog } from './model-catalog';
import type { ModelClient } from './model-client';
import type { Redis } from './redis';
import type { EndpointInfo } from './routes/endpoint';
import { healthRouter } from './routes/health';
import { infoRouter } from './routes/info';
import { predictRouter } from './routes/predict';
import { ensembleRouter } from './routes/ensemble';
import { imageUpload } from './upload';
import type { ModelType } from '@cataract/contracts';

/** Model types with a POST /predict_<type> route in this build. */
export const PREDICT_ROUTE_MODELS: readonly ModelType[] = ['lgbm', 'clip'];

export interface AppDeps {
  config: Pick<GatewayConfig, 'maxUploadBytes' | 'maxImagePixels' | 'requestTimeoutMs' | 'servedModels' | 'webDistDir' | 'ensemble'>;
  logger: Logger;
  redis: Redis;
  registry: ActorRegistry;
  client: ModelClient;
  catalog: ModelCatalog;
  about: { name: string; version: string; description: string };
  /** True once the worker is stopping: responses then close their connection. */
  isShuttingDown?: () => boolean;
}

/**
 * The HTTP surface, assembled from parts: request context and logging first, then the routers,
 * then 404 and the JSON error handler. Cross-cutting layers (auth, rate limits, metrics, docs)
 * go between the logging and the routers.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(requestContext(deps.config.requestTimeoutMs));
  app.use(httpLogger(deps.logger));
  if (deps.isShuttingDown) app.use(closeWhenStopping(deps.isShuttingDown));

  const endpoints: EndpointInfo[] = [];
  const upload = imageUpload({ maxBytes: deps.config.maxUploadBytes, maxPixels: deps.config.maxImagePixels });
  // A routed model type that is not served answers 503 no_actor, like one whose actors all died.
  const predict = predictRouter({ client: deps.client, upload, models: PREDICT_ROUTE_MODELS });
  const health = healthRouter({ redis: deps.redis, registry: deps.registry, servedModels: deps.config.servedModels });
  const info = infoRouter({
    ...deps.about,
    servedModels: deps.config.servedModels,
    catalog: deps.catalog,
    registry: deps.registry,
    webDistDir: deps.config.webDistDir,
    endpoints: () => endpoints,
  });
  const ensemble = ensembleRouter({ client: deps.client, upload, settings: deps.config.ensemble, servedModels: deps.config.servedModels });
  for (const part of [info, health, predict, ensemble]) {
    app.use(part.router);
    endpoints.push(...part.endpoints);
  }

  app.use(notFound);
  app.use(errorHandler);
  return app;
}

function closeWhenStopping(isShuttingDown: () => boolean): RequestHandler {
  return (_req, res, next) => {
    if (isShuttingDown()) res.set('Connection', 'close');
    next();
  };
}
