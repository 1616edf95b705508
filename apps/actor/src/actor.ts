import { withTimeout } from '@cataract/concurrency';
import { closeRedis, connectRedis, type Logger } from '@cataract/service-kit';
import { BULL_PREFIX, PredictJobData, PredictJobResult, QUEUE_NAMES } from '@cataract/contracts';
import { Worker } from 'bullmq';
import type { ActorConfig } from './config';
import { Heartbeat } from './heartbeat';
import { createJobProcessor } from './job-processor';
import { ModelStateStore } from '@cataract/model-store';
import { ReplyPublisher } from './reply-publisher';
import { ShadowRunner } from './versions/shadow-runner';
import { readDesired, StateFollower } from './versions/state-follower';
import { VersionSet } from './versions/version-set';
import { slotLoader } from './versions/version-slot';

export interface RunningActor {
  readonly actorId: string;
  /** The version answering requests now (outside a canary). */
  readonly modelVersion: string;
  /** SIGTERM path: stop taking jobs, finish running ones, remove the heartbeat, close connections. */
  close(): Promise<void>;
}

/**
 * Loads the versions the cluster's model state names (Redis, else the store's default: a restarted
 * actor comes back on what serves now), warms them, then consumes its model type's queue with
 * short locks and frequent stalled checks, so the jobs of an actor that dies go back to the queue
 * within a request deadline. Heartbeats start only once the worker is ready to take jobs; from
 * then on a StateFollower switches versions live (versions/).
 */
export async function startActor(config: ActorConfig, logger: Logger): Promise<RunningActor> {
  if (config.faultDelayMs > 0) {
    logger.warn({ faultDelayMs: config.faultDelayMs }, 'TEST-ONLY FAULT INJECTION: every inference is delayed by ACTOR_FAULT_DELAY_MS; never run this in production');
  }
  const redis = connectRedis(config.redisUrl, 'consumer', `actor:${config.model}:${config.actorId}`, logger);
  const subscriber = connectRedis(config.redisUrl, 'subscriber', `actor:${config.model}:${config.actorId}:models`, logger);
  let heartbeat: Heartbeat | undefined;
  const versions = new VersionSet({
    load: slotLoader(config, logger),
    logger,
    switchWarmupRuns: config.switchWarmupRuns,
    onChange: () => void heartbeat?.beat(),
  });
  try {
    const desired = await readDesired(new ModelStateStore(redis), config.modelsDir, config.model);
    // Before registering: no request waits on the first, slow predictions, and a model that cannot
    // answer never advertises itself. The test-only delay is not warmed through.
    await versions.start(desired.routing, config.warmupRuns);
    logger.info({ version: versions.serving, routing: desired.routing }, 'model loaded');

    heartbeat = new Heartbeat(redis, logger, {
      model: config.model,
      actorId: config.actorId,
      modelVersion: versions.serving,
      versions: () => versions.report(),
      concurrency: config.concurrency,
      batching: () => versions.servingSlot().scheduler.stats(),
      intervalMs: config.heartbeatIntervalMs,
      ttlMs: config.heartbeatTtlMs,
    });
    const replies = new ReplyPublisher(redis, logger);
    const processor = createJobProcessor({
      redis,
      versions,
      shadow: config.shadowMaxInflight > 0 ? new ShadowRunner(redis, config.model, config.shadowMaxInflight, logger) : undefined,
      actorId: config.actorId,
      replies,
      logger,
    });

    const worker = new Worker<PredictJobData, PredictJobResult>(QUEUE_NAMES[config.model], processor, {
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
    worker.on('error', (err) => logger.warn({ err: err.message }, 'worker error'));
    worker.on('completed', () => heartbeat!.jobDone());
    worker.on('failed', (job, err) => {
      if (!job) return;
      const final = job.finishedOn !== undefined;
      logger.warn({ jobId: job.id, reqId: job.data?.requestId, attempt: job.attemptsMade, final, err: err.message }, 'job failed');
      // A final failure still answers the waiting request at once instead of at its deadline.
      if (final && job.data?.replyTo) void replies.publish(job.data.replyTo, { outcome: 'failed', jobId: String(job.id), message: err.message });
    });
    worker.on('stalled', (jobId) => logger.warn({ jobId }, 'job stalled (its actor died?); back in the queue'));

    void worker.run().catch((err: Error) => logger.error({ err: err.message }, 'worker stopped with an error'));
    await worker.waitUntilReady();
    await heartbeat.start();
    const follower = new StateFollower(redis, subscriber, versions, logger, { type: config.model, modelsDir: config.modelsDir, pollMs: config.modelStatePollMs });
    await follower.start(desired);
    logger.info({ concurrency: config.concurrency, queue: QUEUE_NAMES[config.model] }, 'actor ready');

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        follower.stop();
        await heartbeat!.stop();
        // worker.close() waits for running jobs; past the grace they are abandoned and stall over to
        // another actor. With Redis down no job can complete anyway, so there is nothing to wait for.
        const grace = redis.status === 'ready' ? config.shutdownGraceMs : 0;
        const how = await within(grace, worker.close());
        if (how === 'timeout') {
          if (grace > 0) logger.warn('running jobs did not finish within the shutdown grace; leaving them to stalled recovery');
          await within(1000, worker.close(true).catch(() => undefined));
        }
        await versions.close();
        await closeRedis(subscriber);
        await closeRedis(redis);
        logger.info('actor stopped');
      })());

    return {
      actorId: config.actorId,
      get modelVersion() {
        return versions.serving;
      },
      close,
    };
  } catch (err) {
    await versions.close().catch(() => undefined);
    await closeRedis(subscriber);
    await closeRedis(redis);
    throw err;
  }
}

/** Resolves 'done' when `p` settles within `ms`, else 'timeout' (p keeps running unobserved). */
function within(ms: number, p: Promise<unknown>): Promise<'done' | 'timeout'> {
  return withTimeout(
    p.then(() => 'done' as const, () => 'done' as const),
    ms,
    () => 'timeout' as const,
  );
}
