import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { MODEL_TYPES, redisKeys } from '@cataract/contracts';
import { ModelStateStore, readShadowStats } from '@cataract/model-store';
import type { Express } from 'express';
import { closeRedis, connectRedis, isReady, Redis } from '@cataract/service-kit';
import { readAbout } from '../http/about';
import { ActorRegistry } from '../dispatch/actor-registry';
import { AppDeps, createApp } from '../http/app';
import type { GatewayConfig } from '../config';
import type { Logger } from '../logger';
import { ModelCatalog } from '../dispatch/model-catalog';
import { ModelClient, ModelClientOptions } from '../dispatch/model-client';
import { ModelQueues } from '../dispatch/queues';
import { openDashboardQueues } from '../http/dashboard';
import { RedisUnavailableError } from '../errors';
import { ReplyListener, ReplyListenerOptions } from '../dispatch/reply-listener';
import { GatewayMetrics } from '../observability/metrics';
import { retainUpload } from '../retention/retain-upload';
import { UploadStore } from '../retention/upload-store';
import { RecordIndex } from '../retention/record-index';
import { ReviewStore } from '../retention/review-store';
import { DriftMonitor, DriftWindow, recordReview, registerDriftMetrics, VersionBaselines } from '../drift';

export interface GatewayServices {
  instanceId: string;
  redis: Redis;
  subscriber: Redis;
  queues: ModelQueues;
  registry: ActorRegistry;
  replies: ReplyListener;
  client: ModelClient;
  /** This worker's Prometheus registry (the cluster primary sums all workers'). */
  metrics: GatewayMetrics;
  app: Express;
  /** What `app` was built from (the warm-up builds its loopback app from the same parts). */
  appDeps: AppDeps;
  /** Resolves once the reply channel is subscribed (requests can be answered). */
  ready: Promise<void>;
  /** Flag the app as stopping (responses close their connections). */
  markStopping(): void;
  close(): Promise<void>;
}

/**
 * What the model client does with every job answer, whichever route asked: the actor's timings
 * feed /metrics, and the answer (label, version, input statistics) joins the drift window.
 */
export function observeAnswers(metrics: GatewayMetrics, logger: Logger, drift?: Pick<DriftWindow, 'recordAnswer'>): NonNullable<ModelClientOptions['onResult']> {
  return (model, result, reqId) => {
    metrics.observeJob(model, result.timings);
    metrics.versions.observe(model, result);
    drift?.recordAnswer(model, result);
    logger.debug({ reqId, model, timings: result.timings }, 'job answered');
  };
}

/**
 * Drift monitoring's parts: the shared window (recording only with DRIFT_MONITORING on), the
 * monitor behind GET /drift_status, and its gauges on this worker's /metrics registry.
 */
function driftServices(config: GatewayConfig, redis: Redis, catalog: ModelCatalog, metrics: GatewayMetrics, logger: Logger) {
  const s = config.drift;
  const window = new DriftWindow(redis, {
    windowAnswers: s.windowAnswers,
    windowHours: s.windowHours,
    onError: (err) => logger.debug({ err: err.message }, 'drift: recording failed'),
  });
  const monitor = new DriftMonitor({
    window,
    baselines: new VersionBaselines(config.modelsDir),
    servingVersion: async (m) => (await catalog.get(m))?.version,
    servedModels: config.servedModels,
    settings: s,
  });
  registerDriftMetrics(metrics.registry, () => monitor.status(), (err) => logger.debug({ err: err.message }, 'metrics: reading the drift window failed'));
  return { window: s.enabled ? window : undefined, monitor };
}

/** The shadow versions running now and their agreement counters (for /metrics). */
async function shadowStatsNow(redis: Redis) {
  if (!isReady(redis)) return [];
  const store = new ModelStateStore(redis);
  const out = [];
  for (const model of MODEL_TYPES) {
    const shadow = (await store.read(model))?.shadow;
    if (shadow) out.push({ model, stats: await readShadowStats(redis, model, shadow.version) });
  }
  return out;
}

/** SAVE_UPLOADS: keep answered uploads (indexed by request id in Redis) and write reviews into them. */
function retention(config: GatewayConfig, redis: Redis, logger: Logger): Pick<AppDeps, 'retain' | 'reviews'> {
  if (!config.saveUploads) return {};
  const index = new RecordIndex(redis, config.customerDataDir, { maxDays: config.customerDataMaxDays, logger });
  return { retain: retainUpload(new UploadStore(config.customerDataDir), index), reviews: new ReviewStore(redis, index) };
}

/**
 * Everything one gateway worker needs, wired once: Redis connections, queues, actor registry,
 * reply channel, model client and the Express app. http-worker.ts adds the HTTP server; tests use it
 * in-process.
 */
export function createGatewayServices(
  config: GatewayConfig,
  logger: Logger,
  opts: { replies?: ReplyListenerOptions; registryCacheMs?: number } = {},
): GatewayServices {
  const instanceId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const redis = connectRedis(config.redisUrl, 'request', `gateway:${instanceId}`, logger);
  const subscriber = connectRedis(config.redisUrl, 'subscriber', `gateway-sub:${instanceId}`, logger);
  const queues = new ModelQueues(redis);
  const registry = new ActorRegistry(redis, logger, { cacheMs: opts.registryCacheMs });
  const replies = new ReplyListener(redis, subscriber, redisKeys.replyChannel(instanceId), queues, registry, logger, opts.replies);
  // Subscribing waits for Redis; a gateway started before Redis must still serve /health (degraded).
  const ready = replies.start();
  ready.catch((err: Error) => logger.error({ err: err.message }, 'reply channel subscription failed'));
  const metrics = new GatewayMetrics({
    defaultMetrics: true,
    state: {
      // Only on a ready connection: a queue handle first made while Redis is down stays broken.
      queueDepth: async (m) => {
        if (!isReady(redis)) throw new RedisUnavailableError();
        return (await queues.get(m).getJobCounts('waiting', 'active', 'delayed')) as { waiting: number; active: number; delayed: number };
      },
      liveActors: async (m) => (await registry.live(m)).length,
    },
    shadow: () => shadowStatsNow(redis),
    onCollectError: (err) => logger.debug({ err: err.message }, 'metrics: reading queue state failed'),
  });
  const stateStore = new ModelStateStore(redis);
  const catalog = new ModelCatalog(config.modelsDir, 5000, async (m) => (isReady(redis) ? (await stateStore.read(m))?.serving : undefined));
  const drift = driftServices(config, redis, catalog, metrics, logger);
  const client = new ModelClient(redis, queues, registry, replies, logger, {
    maxQueuedPerModel: config.maxQueuedPerModel,
    requestTimeoutMs: config.requestTimeoutMs,
    onResult: observeAnswers(metrics, logger, drift.window),
  });
  const dashboard = openDashboardQueues(config.redisUrl);
  let stopping = false;
  const appDeps: AppDeps = {
    config,
    logger,
    redis,
    registry,
    client,
    catalog,
    about: readAbout(),
    isShuttingDown: () => stopping,
    metrics,
    dashboardQueues: dashboard.queues,
    ...retention(config, redis, logger),
    drift,
    // Each review counts toward its model versions' accuracy (drift/review-record.ts).
    onFeedback: drift.window && recordReview(drift.window, (err) => logger.warn({ err: err.message }, 'drift: could not record a review')),
  };
  const app = createApp(appDeps);
  return {
    instanceId,
    redis,
    subscriber,
    queues,
    registry,
    replies,
    client,
    metrics,
    app,
    appDeps,
    ready,
    markStopping: () => {
      stopping = true;
    },
    close: async () => {
      stopping = true;
      await replies.stop();
      await queues.close();
      await dashboard.close();
      await Promise.all([closeRedis(subscriber), closeRedis(redis)]);
    },
  };
}
