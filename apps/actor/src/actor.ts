import { BULL_PREFIX, PredictJobData, PredictJobResult, QUEUE_NAMES } from '@cataract/contracts';
import { withTimeout } from '@cataract/concurrency';
import { Worker } from 'bullmq';
import { closeRedis, connectRedis, type Logger } from '@cataract/service-kit';
import type { ActorConfig } from './config';
import { Heartbeat } from './heartbeat';
import { createJobProcessor } from './job-processor';
import { loadModelFiles } from './manifest';
import { ReplyPublisher } from './reply-publisher';
import { FaultDelayRuntime } from './runtimes/fault-delay-runtime';
import { createRuntime } from './runtimes/registry';
import { createScheduler } from './scheduling';
import { warmUp } from './warmup';

export interface RunningActor {
  readonly actorId: string;
  readonly modelVersion: string;
  /** SIGTERM path: stop taking jobs, finish running ones, remove the heartbeat, close connections. */
  close(): Promise<void>;
}

/**
 * Loads the model once (manifest + checksum + runtime), then consumes its model type's queue with
 * short locks and frequent stalled checks, so the jobs of an actor that dies go back to the queue
 * within a request deadline. The model is warmed up first (warmup.ts); heartbeats start only once
 * the queue consumer is ready to take jobs.
 */
export async function startActor(config: ActorConfig, logger: Logger): Promise<RunningActor> {
  const files = await loadModelFiles(config.modelsDir, config.model);
  const model = createRuntime(files, {
    maxPixels: config.maxImagePixels,
    maxBatch: config.batching.maxBatch,
    intraOpThreads: config.intraOpThreads,
  });
  const runtime = config.faultDelayMs > 0 ? new FaultDelayRuntime(model, config.faultDelayMs) : model;
  if (config.faultDelayMs > 0) {
    logger.warn({ faultDelayMs: config.faultDelayMs }, 'TEST-ONLY FAULT INJECTION: every inference is delayed by ACTOR_FAULT_DELAY_MS; never run this in production');
  }
  await runtime.load();
  logger.info({ version: files.manifest.version, runtime: runtime.kind, batch: runtime.preferredBatchSize }, 'model loaded');
  // Before registering: no request waits on the first, slow predictions, and a model that cannot
  // answer never advertises itself. The test-only delay is not warmed through.
  await warmUp(model, config.warmupRuns, { logger, inFlight: Math.max(1, Math.floor(config.concurrency / runtime.preferredBatchSize)) });

  const redis = connectRedis(config.redisUrl, 'consumer', `actor:${config.model}:${config.actorId}`, logger);
  const scheduler = createScheduler(runtime, config.batching);
  const heartbeat = new Heartbeat(redis, logger, {
    model: config.model,
    actorId: config.actorId,
    modelVersion: files.manifest.version,
    concurrency: config.concurrency,
    batching: () => scheduler.stats(),
    intervalMs: config.heartbeatIntervalMs,
    ttlMs: config.heartbeatTtlMs,
  });
  const replies = new ReplyPublisher(redis, logger);
  const processor = createJobProcessor({
    redis,
    scheduler,
    manifest: files.manifest,
    actorId: config.actorId,
    replies,
    logger,
  });

  const consumer = new Worker<PredictJobData, PredictJobResult>(QUEUE_NAMES[config.model], processor, {
    connection: redis,
    prefix: BULL_PREFIX,
    name: config.actorId,
    concurrency: config.concurrency,
    lockDuration: config.lockDurationMs,
    stalledInterval: config.stalledIntervalMs,
    maxStalledCount: config.maxStalledCount,
    // Removal is set per job by the producer; these caps also bound jobs added without options.
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 1000 },
    autorun: false,
  });
  consumer.on('error', (err) => logger.warn({ err: err.message }, 'queue consumer error'));
  consumer.on('completed', () => heartbeat.jobDone());
  consumer.on('failed', (job, err) => {
    if (!job) return;
    const final = job.finishedOn !== undefined;
    logger.warn({ jobId: job.id, reqId: job.data?.requestId, attempt: job.attemptsMade, final, err: err.message }, 'job failed');
    // A final failure still answers the waiting request at once instead of at its deadline.
    if (final && job.data?.replyTo) void replies.publish(job.data.replyTo, { outcome: 'failed', jobId: String(job.id), message: err.message });
  });
  consumer.on('stalled', (jobId) => logger.warn({ jobId }, 'job stalled (its actor died?); back in the queue'));

  void consumer.run().catch((err: Error) => logger.error({ err: err.message }, 'queue consumer stopped with an error'));
  await consumer.waitUntilReady();
  await heartbeat.start();
  logger.info({ concurrency: config.concurrency, queue: QUEUE_NAMES[config.model] }, 'actor ready');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await heartbeat.stop();
      // consumer.close() waits for running jobs; past the grace they are abandoned and stall over to
      // another actor. With Redis down no job can complete anyway, so there is nothing to wait for.
      const grace = redis.status === 'ready' ? config.shutdownGraceMs : 0;
      const how = await within(grace, consumer.close());
      if (how === 'timeout') {
        if (grace > 0) logger.warn('running jobs did not finish within the shutdown grace; leaving them to stalled recovery');
        await within(1000, consumer.close(true).catch(() => undefined));
      }
      await scheduler.close();
      await runtime.close();
      await closeRedis(redis);
      logger.info('actor stopped');
    })());

  return { actorId: config.actorId, modelVersion: files.manifest.version, close };
}

/** Resolves 'done' when `p` settles within `ms`, else 'timeout' (p keeps running unobserved). */
function within(ms: number, p: Promise<unknown>): Promise<'done' | 'timeout'> {
  return withTimeout(
    p.then(() => 'done' as const, () => 'done' as const),
    ms,
    () => 'timeout' as const,
  );
}
