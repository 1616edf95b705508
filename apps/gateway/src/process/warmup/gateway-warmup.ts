import { randomBytes } from 'node:crypto';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mapLimit, withTimeout } from '@cataract/concurrency';
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
  /** Uploads not sent because the warm-up ran out of time (`maxMs`). */
  skipped: number;
  /** Whether time ran out (`maxMs`): uploads were skipped or abandoned unanswered. */
  cutShort: boolean;
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

/** setTimeout's largest delay (a larger one, Infinity included, fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Resolves with the answer's status, or 0 when there was none within `timeoutMs`. */
function post(port: number, agent: Agent, path: string, upload: { body: Buffer; contentType: string }, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => req.destroy(), Math.min(timeoutMs, MAX_TIMER_MS));
    const settle = (status: number) => {
      clearTimeout(timer);
      resolve(status);
    };
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'Content-Type': upload.contentType, 'Content-Length': upload.body.length } },
      (res) => {
        res.resume();
        res.on('end', () => settle(res.statusCode ?? 0));
        res.on('error', () => settle(0));
      },
    );
    req.on('error', () => settle(0));
    req.end(upload.body);
  });
}

/** What the warm-up uses of a worker's services (worker-services.ts). */
export type WarmupParts = Pick<GatewayServices, 'appDeps' | 'redis' | 'replies' | 'instanceId'>;

export interface WarmupOptions {
  /** Uploads in flight at once. */
  concurrency?: number;
  /**
   * Longest the uploads may take. A worker listens only after its warm-up, so a warm-up that
   * cannot finish (Redis stalled, a starved machine) must never keep it from serving: past this,
   * no upload is sent, those in flight are abandoned, and the worker starts cold.
   */
  maxMs?: number;
}

/** Longest the warm-up waits for its private queues to be deleted before the worker goes on. */
const CLEANUP_MAX_MS = 2000;

/**
 * Sends `requests` uploads, `concurrency` at a time and spread over the served predict routes, to
 * a loopback server of the worker's app. The server is exclusive to this process (cluster workers
 * share no handle for it) and closed afterwards. With Redis ready, the uploads go through the
 * real model client to queues that answer at once (echo-queues.ts), whose keys are deleted
 * afterwards; without, a stand-in answers for the models.
 */
export async function warmUpGateway(parts: WarmupParts, logger: Logger, requests: number, opts: WarmupOptions = {}): Promise<GatewayWarmupReport> {
  const { concurrency = 4, maxMs = Number.POSITIVE_INFINITY } = opts;
  const report: GatewayWarmupReport = { requests: 0, failed: 0, skipped: 0, cutShort: false, ms: 0, throughRedis: false };
  const deps = parts.appDeps;
  const paths = warmupPaths(deps.config.servedModels);
  if (requests <= 0 || paths.length === 0) return report;
  const started = performance.now();
  const deadline = started + maxMs;
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
        const left = deadline - performance.now();
        if (left <= 0) {
          report.skipped++;
          report.cutShort = true;
          return;
        }
        const status = await post(port, agent, paths[i % paths.length], uploads[i % uploads.length], left);
        if (status === 0 && performance.now() >= deadline) report.cutShort = true;
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
    // The keys left behind by a cleanup cut short are a warm-up's only: never the service's queues.
    await withTimeout(echo.close(), CLEANUP_MAX_MS, () => undefined).catch(() => undefined);
    discard.end();
  }
  report.ms = Math.round(performance.now() - started);
  const fields = { ...report, paths, statuses: Object.fromEntries(statuses) };
  if (report.cutShort) logger.warn({ ...fields, maxMs }, 'gateway warm-up cut short: it ran out of time (serving anyway, partly cold)');
  else if (report.failed > 0) logger.error(fields, 'gateway warm-up: some warm-up uploads were not answered 200 (serving anyway)');
  else logger.info(fields, 'gateway worker warmed up');
  return report;
}
