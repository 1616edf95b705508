import express, { Express, RequestHandler } from 'express';
import type { ActorRegistry } from './actor-registry';
import type { GatewayConfig } from './config';
import type { Logger } from './logger';
import { errorHandler, notFound } from './middleware/error-handler';
import { httpLogger } from './middleware/http-logger';
import { requestContext } from './middleware/request-context';
import type { ModelCatalog } from './model-catalog';
import type { Predictor } from './model-client';
import type { Redis } from './redis';
import type { EndpointInfo } from './routes/endpoint';
import { healthRouter } from './routes/health';
import { infoRouter } from './routes/info';
import { predictRouter } from './routes/predict';
import { ensembleRouter } from './routes/ensemble';
import { modelAdminRouter } from './routes/model-admin';
import { imageUpload } from './upload';
import type { ModelType } from '@cataract/contracts';
import { dashboardRouter } from './dashboard';
import { buildOpenApiDocument } from './docs/openapi';
import { docsRouter } from './docs/swagger';
import { httpMetrics, markRoute } from './observability/http-metrics';
import type { GatewayMetrics } from './observability/metrics';
import { metricsRouter } from './observability/metrics-route';
import type { Queue } from 'bullmq';
import type { RetainUpload } from './retention/retain-upload';
import { ApiKeyRing, requireApiKey } from './security/api-keys';
import { corsPolicy } from './security/cors';
import { securityHeaders } from './security/headers';
import { createRateLimiter } from './security/rate-limit';

/** Model types with a POST /predict_<type> route in this build. */
export const PREDICT_ROUTE_MODELS: readonly ModelType[] = ['lgbm', 'clip'];

export interface AppDeps {
  config: Pick<
    GatewayConfig,
    | 'maxUploadBytes'
    | 'maxImagePixels'
    | 'requestTimeoutMs'
    | 'servedModels'
    | 'webDistDir'
    | 'ensemble'
    | 'apiKeys'
    | 'rateLimitPerMinute'
    | 'corsOrigins'
    | 'trustProxy'
    | 'dashboard'
    | 'modelsDir'
  >;
  logger: Logger;
  redis: Redis;
  registry: ActorRegistry;
  client: Predictor;
  catalog: ModelCatalog;
  about: { name: string; version: string; description: string };
  /** True once the worker is stopping: responses then close their connection. */
  isShuttingDown?: () => boolean;
  metrics: GatewayMetrics;
  /** Queue handles shown by the /admin/queues dashboard. */
  dashboardQueues: Queue[];
  /** SAVE_UPLOADS: keeps each answered upload before its answer is sent. */
  retain?: RetainUpload;
}

/**
 * The HTTP surface, assembled from parts: request context and logging first, then metrics,
 * security headers and CORS, then the API key and rate limit in front of the predictions, then
 * the routers (API, /metrics, /openapi.json + /docs, the /admin/queues dashboard), then 404 and
 * the JSON error handler.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.set('trust proxy', deps.config.trustProxy); // the client address behind nginx (rate limit per address)

  app.use(requestContext(deps.config.requestTimeoutMs));
  app.use(httpLogger(deps.logger));
  if (deps.isShuttingDown) app.use(closeWhenStopping(deps.isShuttingDown));
  app.use(httpMetrics(deps.metrics)); // first, so refused requests are counted too
  app.use(securityHeaders());
  const cors = corsPolicy(deps.config.corsOrigins);
  if (cors) app.use(cors); // preflights answered before auth

  // Predictions: key first (before the body is read), then the shared per-key budget.
  const ring = new ApiKeyRing(deps.config.apiKeys);
  const guard = requireApiKey(ring);
  const limiter = createRateLimiter({ perMinute: deps.config.rateLimitPerMinute, redis: deps.redis, logger: deps.logger });
  const predictPaths = [...PREDICT_ROUTE_MODELS.map((m) => `/predict_${m}`), '/predict_ensemble'];
  app.use(predictPaths, markRoute, guard, ...(limiter ? [limiter] : []));

  const endpoints: EndpointInfo[] = [];
  const upload = imageUpload({ maxBytes: deps.config.maxUploadBytes, maxPixels: deps.config.maxImagePixels });
  // A routed model type that is not served answers 503 no_actor, like one whose actors all died.
  const predict = predictRouter({ client: deps.client, upload, models: PREDICT_ROUTE_MODELS, retain: deps.retain });
  const health = healthRouter({
    redis: deps.redis,
    registry: deps.registry,
    servedModels: deps.config.servedModels,
    isShuttingDown: deps.isShuttingDown,
  });
  const info = infoRouter({
    ...deps.about,
    servedModels: deps.config.servedModels,
    catalog: deps.catalog,
    registry: deps.registry,
    webDistDir: deps.config.webDistDir,
    endpoints: () => endpoints,
  });
  const ensemble = ensembleRouter({
    client: deps.client,
    upload,
    settings: deps.config.ensemble,
    servedModels: deps.config.servedModels,
    retain: deps.retain,
  });
  const metrics = metricsRouter(deps.metrics, guard);
  const docs = docsRouter(
    buildOpenApiDocument({
      title: 'Cataract Cluster API',
      version: deps.about.version,
      description: deps.about.description,
      predictModels: PREDICT_ROUTE_MODELS,
      maxUploadMb: Number((deps.config.maxUploadBytes / (1024 * 1024)).toFixed(1)),
    }),
  );
  const dashboard = dashboardRouter({
    queues: deps.dashboardQueues,
    ring,
    basic: deps.config.dashboard.basic,
    readOnly: deps.config.dashboard.readOnly,
  });
  // Changing which model version serves is an operator's act: it needs the admin credential, which
  // today is any API key (the same as /metrics); the guard is named for the role it stands for.
  const requireAdmin = guard;
  const modelAdmin = modelAdminRouter({ redis: deps.redis, modelsDir: deps.config.modelsDir, requireAdmin });
  for (const part of [info, health, predict, ensemble, metrics, modelAdmin, docs, dashboard]) {
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
