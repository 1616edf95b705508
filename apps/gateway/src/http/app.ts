import express, { Express, RequestHandler } from 'express';
import type { ActorRegistry } from '../dispatch/actor-registry';
import type { GatewayConfig } from '../config';
import type { Logger } from '../logger';
import { errorHandler, notFound } from './middleware/error-handler';
import { httpLogger } from './middleware/http-logger';
import { requestContext } from './middleware/request-context';
import type { ModelCatalog } from '../dispatch/model-catalog';
import type { PredictionClient } from '../dispatch/model-client';
import type { EndpointInfo } from './routes/endpoint';
import { healthRouter } from './routes/health';
import { infoRouter } from './routes/info';
import { predictRouter } from './routes/predict';
import { ensembleRouter } from './routes/ensemble';
import { modelAdminRouter } from './routes/model-admin';
import { driftRouter } from './routes/drift';
import type { DriftMonitor, DriftWindow } from '../drift';
import { imageUpload } from './upload';
import type { ModelType } from '@cataract/contracts';
import { dashboardRouter } from './dashboard';
import { buildOpenApiDocument } from './docs/openapi';
import { docsRouter } from './docs/swagger';
import { httpMetrics, markRoute } from '../observability/http-metrics';
import type { GatewayMetrics } from '../observability/metrics';
import { metricsRouter } from '../observability/metrics-route';
import type { Queue } from 'bullmq';
import type { Redis } from '@cataract/service-kit';
import type { RetainUpload } from '../retention/retain-upload';
import type { ReviewStore } from '../retention/review-store';
import { feedbackLoopRouters } from './feedback-loop-routes';
import type { OnFeedback } from './routes/feedback';
import { authFailureLimiter } from './security/auth-failures';
import { corsPolicy } from './security/cors';
import { fairShare } from './security/fair-share';
import { securityHeaders } from './security/headers';
import { createRateLimiter } from './security/rate-limit';
import { identifyOperator, requireAdmin, requireClient } from './security/role-guards';
import { Roles } from './security/roles';

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
    | 'adminKeys'
    | 'maxInFlightPerClient'
    | 'authFailuresPerMinute'
    | 'rateLimitPerMinute'
    | 'corsOrigins'
    | 'trustProxy'
    | 'dashboard'
    | 'modelsDir'
    | 'reviewerKeyIds'
    | 'batch'
  > &
    Partial<Pick<GatewayConfig, 'redisUrl' | 'setupProblems'>>;
  logger: Logger;
  redis: Redis;
  registry: ActorRegistry;
  client: PredictionClient;
  catalog: ModelCatalog;
  about: { name: string; version: string; description: string };
  /** True once the worker is stopping: responses then close their connection. */
  isShuttingDown?: () => boolean;
  metrics: GatewayMetrics;
  /** Queue handles shown by the /admin/queues dashboard. */
  dashboardQueues: Queue[];
  /** SAVE_UPLOADS: keeps each answered upload before its answer is sent. */
  retain?: RetainUpload;
  /** SAVE_UPLOADS: writes reviewed labels (POST /feedback); undefined answers 409 uploads_not_retained. */
  reviews?: Pick<ReviewStore, 'review'>;
  /** Told of every review written (routes/feedback.ts). */
  onFeedback?: OnFeedback;
  /** Drift monitoring: GET /drift_status reads `monitor`; ensemble answers are recorded into `window` (drift/). */
  drift?: { monitor: DriftMonitor; window?: Pick<DriftWindow, 'recordEnsemble'> };
}

/**
 * The HTTP surface, assembled from parts: request context and logging first, then metrics,
 * security headers and CORS, then the client key and rate limit in front of the predictions (and
 * the per-client in-flight limit after their upload check), then the routers (API, /health,
 * operator-only /metrics, /openapi.json + /docs, the operator-only /admin/queues dashboard), then
 * 404 and the JSON error handler. Who may do what: security/roles.ts.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  // Only the listed proxies' X-Forwarded-For is believed (the per-address limits count by it).
  app.set('trust proxy', deps.config.trustProxy);

  app.use(requestContext(deps.config.requestTimeoutMs));
  app.use(httpLogger(deps.logger));
  if (deps.isShuttingDown) app.use(closeWhenStopping(deps.isShuttingDown));
  app.use(httpMetrics(deps.metrics)); // first, so refused requests are counted too
  app.use(securityHeaders());
  const cors = corsPolicy(deps.config.corsOrigins);
  if (cors) app.use(cors); // preflights answered before auth

  // Predictions: client key first (before the body is read), then the shared per-key budget.
  const roles = new Roles({ apiKeys: deps.config.apiKeys, adminKeys: deps.config.adminKeys, basic: deps.config.dashboard.basic });
  const refuse = authFailureLimiter({ perMinute: deps.config.authFailuresPerMinute, redis: deps.redis, logger: deps.logger });
  const limiter = createRateLimiter({ perMinute: deps.config.rateLimitPerMinute, redis: deps.redis, logger: deps.logger });
  const predictPaths = [...PREDICT_ROUTE_MODELS.map((m) => `/predict_${m}`), '/predict_ensemble', '/predict_batch', '/feedback'];
  app.use(predictPaths, markRoute, requireClient(roles, refuse), ...(limiter ? [limiter] : []));

  const endpoints: EndpointInfo[] = [];
  const checked = imageUpload({ maxBytes: deps.config.maxUploadBytes, maxPixels: deps.config.maxImagePixels });
  const share = fairShare({
    maxInFlight: deps.config.maxInFlightPerClient,
    redis: deps.redis,
    logger: deps.logger,
    entryTtlMs: deps.config.requestTimeoutMs + 5_000,
  });
  const upload = (models: number) => [...checked, ...(share ? [share(models)] : [])];
  // A routed model type that is not served answers 503 no_actor, like one whose actors all died.
  const predict = predictRouter({ client: deps.client, upload: upload(1), models: PREDICT_ROUTE_MODELS, retain: deps.retain });
  const health = healthRouter({
    operator: identifyOperator(roles, refuse),
    redis: deps.redis,
    registry: deps.registry,
    servedModels: deps.config.servedModels,
    redisUrl: deps.config.redisUrl,
    setupProblems: deps.config.setupProblems,
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
    upload: upload(2), // both models decode the image
    settings: deps.config.ensemble,
    servedModels: deps.config.servedModels,
    retain: deps.retain,
    drift: deps.drift?.window,
  });
  const metrics = metricsRouter(deps.metrics, requireAdmin(roles, refuse));
  const docs = docsRouter(
    buildOpenApiDocument({
      title: 'Cataract Cluster API',
      version: deps.about.version,
      description: deps.about.description,
      predictModels: PREDICT_ROUTE_MODELS,
      maxUploadMb: Number((deps.config.maxUploadBytes / (1024 * 1024)).toFixed(1)),
      batch: { maxFiles: deps.config.batch.maxFiles, maxTotalMb: Number((deps.config.batch.maxTotalBytes / (1024 * 1024)).toFixed(1)) },
    }),
  );
  const dashboard = dashboardRouter({ queues: deps.dashboardQueues, roles, refuse, readOnly: deps.config.dashboard.readOnly });
  // Changing which model version serves is an operator's act: the admin credential (ADMIN_KEYS).
  const modelAdmin = modelAdminRouter({ redis: deps.redis, modelsDir: deps.config.modelsDir, requireAdmin: requireAdmin(roles, refuse) });
  const drift = deps.drift ? [driftRouter({ monitor: deps.drift.monitor, operator: identifyOperator(roles, refuse) })] : [];
  for (const part of [info, health, predict, ensemble, ...feedbackLoopRouters(deps, share), ...drift, metrics, modelAdmin, docs, dashboard]) {
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
