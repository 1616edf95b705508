import { randomBytes } from 'node:crypto';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mapLimit } from '@cataract/concurrency';
import type { ModelType } from '@cataract/contracts';
import { renderSampleEyePhotos } from '@cataract/imaging';
import pino from 'pino';
import { isReady } from '@cataract/service-kit';
import { AppDeps, createApp, PREDICT_ROUTE_MODELS } from '../../http/app';
import { createLogger, Logger } from '../../logger';
import type { PredictionClient } from '../../dispatch/model-client';
import { GatewayMetrics } from '../../observability/metrics';
import type { GatewayServices } from '../worker-services';
import { openEchoClient, STAND_IN_CLIENT } from './echo-queues';

/**
 * Gateway worker warm-up. node:cluster hands a worker connections as soon as it listens, and a
 * just-started worker runs its request path (HTTP parsing, express, multer, the upload check, the
 * JSON answer) from unoptimised code while V8 compiles it: on this 2-core machine a cold cluster
 * spent half its gateway CPU compiling in its first seconds of load (docs/performance.md, "The first seconds after a start").
 * So before a worker listens, it uploads rendered eye photos to itself: a private loopback server
 * (not shared with the cluster) running the same app, built from the same parts, except that
 * queues private to the warm-up answer for the actors (echo-queues.ts: no actor is needed, no
 * model queue sees a job) and the warm-up leaves no trace in logs, metrics, rate limits, retained
 * data or Redis.
 */
export interface GatewayWarmupReport {
  requests: number;
  /** Warm-up answers that were not 200 (logged; the worker starts anyway). */
  failed: number;
  ms: number;
  /** Whether the uploads went through Redis (the echo client) or only to the stand-in. */
  throughRedis: boolean;
}

/**
 * The app the warm-up talks to: the worker's own parts, except the model client (`client`: the
 * echo client or the stand-in, echo-queues.ts), and nothing kept: log lines go to /dev/null at
 * the real level (so the request logger runs as it will), metrics to a registry nobody scrapes,
 * and there is no API key, rate limit, upload retention or drift recording.
 */
export function warmupApp(deps: AppDeps, logger: Logger, client: PredictionClient, metrics: GatewayMetrics) {
  return createApp({
    ...deps,
    config: { ...deps.config, apiKeys: [], rateLimitPerMinute: 0 },
    logger,
    client,
    metrics,
    retain: undefined,
    drift: deps.drift && { monitor: deps.drift.monitor }, // warm-up answers are not answers: nothing recorded
  });
}

/** The POST paths to warm: each served model's route, and the ensemble when both models are served. */
export function warmupPaths(servedModels: readonly ModelType[]): string[] {
  const served = PREDICT_ROUTE_MODELS.filter((m) => servedModels.includes(m));
  return [...served.map((m) => `/predict_${m}`), ...(served.length === PREDICT_ROUTE_MODELS.length ? ['/predict_ensemble'] : [])];
}

/**
 * The warm-up's client is node:http with a body built once per photo, not fetch + FormData: fetch
 * made a 300-upload warm-up of one worker take about 1.5x as long (docs/experiments/process-counts.md),
 * time spent compiling and running client code the worker never serves with.
 */
function multipart(photo: Buffer, name: string): { body: Buffer; contentType: string } {
  const boundary = `----warmup${randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    photo,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

function post(port: number, agent: Agent, path: string, upload: { body: Buffer; contentType: string }): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'Content-Type': upload.contentType, 'Content-Length': upload.body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(upload.body);
  });
}

/** What the warm-up uses of a worker's services (worker-services.ts). */
export type WarmupParts = Pick<GatewayServices, 'appDeps' | 'redis' | 'replies' | 'instanceId'>;

/**
 * Sends `requests` uploads, `concurrency` at a time and spread over the served predict routes, to
 * a loopback server of the worker's app. The server is exclusive to this process (cluster workers
 * share no handle for it) and closed afterwards. With Redis ready, the uploads go through the
 * real model client to queues that answer at once (echo-queues.ts), whose keys are deleted
 * afterwards; without, a stand-in answers for the models.
 */
export async function warmUpGateway(parts: WarmupParts, logger: Logger, requests: number, concurrency = 4): Promise<GatewayWarmupReport> {
  const report: GatewayWarmupReport = { requests: 0, failed: 0, ms: 0, throughRedis: false };
  const deps = parts.appDeps;
  const paths = warmupPaths(deps.config.servedModels);
  if (requests <= 0 || paths.length === 0) return report;
  const started = performance.now();
  const uploads = (await renderSampleEyePhotos()).map((photo, i) => multipart(photo, `warmup-${i}.${photo[0] === 0xff ? 'jpg' : 'png'}`));
  const discard = pino.destination({ dest: '/dev/null', sync: false });
  const quietLogger = createLogger(logger.level, { ...logger.bindings(), warmup: true }, undefined, discard);
  const metrics = new GatewayMetrics();
  report.throughRedis = isReady(parts.redis);
  const echo = report.throughRedis
    ? openEchoClient({ redis: parts.redis, replies: parts.replies, tag: parts.instanceId, logger: quietLogger, metrics, requestTimeoutMs: deps.config.requestTimeoutMs })
    : { client: STAND_IN_CLIENT, close: async () => undefined };
  const server = createServer(warmupApp(deps, quietLogger, echo.client, metrics));
  const statuses = new Map<number, number>();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    try {
      await mapLimit(Array.from({ length: requests }, (_, i) => i), concurrency, async (i) => {
        const status = await post(port, agent, paths[i % paths.length], uploads[i % uploads.length]);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        report.requests++;
        if (status !== 200) report.failed++;
      });
    } finally {
      agent.destroy();
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await echo.close();
    discard.end();
  }
  report.ms = Math.round(performance.now() - started);
  const fields = { ...report, paths, statuses: Object.fromEntries(statuses) };
  if (report.failed > 0) logger.error(fields, 'gateway warm-up: some warm-up uploads were not answered 200 (serving anyway)');
  else logger.info(fields, 'gateway worker warmed up');
  return report;
}
