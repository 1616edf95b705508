import type { ActorHeartbeat, ModelType, PredictJobData, PredictionResult, ReplyMessage } from '@cataract/contracts';
import { Job, JobsOptions, Queue, QueueOptions } from 'bullmq';
import type { Redis } from '@cataract/service-kit';
import type { Logger } from '../../logger';
import { ModelClient, PredictionClient } from '../../dispatch/model-client';
import type { GatewayMetrics } from '../../observability/metrics';
import { ModelQueues, PredictQueue } from '../../dispatch/queues';
import type { ReplyListener } from '../../dispatch/reply-listener';
import { observeAnswers } from '../worker-services';

/**
 * The warm-up's stand-in for the actors (gateway-warmup.ts). Either nothing at all (`STAND_IN_CLIENT`,
 * when Redis is not there yet), or, normally, the worker's real model client over its real Redis
 * connections, reply channel included, whose queues are private to the warm-up and answer each job
 * the moment it is added, as an actor would: a reply on the worker's channel, the upload deleted.
 * Only the actor's part is stood in for, so the code a real request runs in this process (the
 * upload's SET, BullMQ's add, the reply's parsing, the metrics of a job) is compiled before the
 * first client needs it: with the stand-in alone it was still being compiled under the first
 * seconds of real load (docs/performance.md, "The first seconds after a start").
 */

/** An actor's answer as the reply listener parses it (timings included, like a real one's). */
export const STAND_IN_RESULT: PredictionResult = Object.freeze({
  status: 'ok',
  prediction: 'normal',
  confidence: 0.5,
  probabilities: { cataract: 0.5, normal: 0.5 },
  model_version: 'warmup',
  actor_id: 'warmup',
  timings: { queue_wait_ms: 0, processing_ms: 0, preprocess_ms: 0, inference_ms: 0, batch_size: 1 },
});

/** Answers every model at once with STAND_IN_RESULT; stores nothing. */
export const STAND_IN_CLIENT: PredictionClient = {
  storeUpload(bytes: Buffer) {
    return { key: 'warmup', bytes: bytes.length, stored: Promise.resolve(), singleReader: true, markReleased: () => undefined, release: async () => undefined };
  },
  async predict() {
    return STAND_IN_RESULT;
  },
};

/** A queue whose every job is answered as soon as it is added (then removed): the stand-in actor. */
class EchoQueue extends Queue<PredictJobData> {
  constructor(
    name: string,
    opts: QueueOptions,
    private readonly redis: Redis,
  ) {
    super(name, opts);
  }

  override async add(name: string, data: PredictJobData, opts?: JobsOptions): Promise<Job<PredictJobData>> {
    const job = await super.add(name, data, opts);
    const reply: ReplyMessage = { outcome: 'completed', jobId: String(job.id), result: STAND_IN_RESULT };
    const answer = this.redis.pipeline().publish(data.replyTo, JSON.stringify(reply));
    if (data.releaseUpload) answer.del(data.uploadKey);
    await answer.exec();
    await job.remove();
    return job;
  }
}

/** The model client's queues, renamed `warmup-<tag>-<model>` and answered by EchoQueue. */
class EchoQueues extends ModelQueues {
  constructor(
    connection: Redis,
    private readonly tag: string,
  ) {
    super(connection);
  }

  protected override createQueue(model: ModelType): PredictQueue {
    return new EchoQueue(`warmup-${this.tag}-${model}`, this.queueOptions(), this.connection);
  }

  /** Deletes every key the warm-up's queues made (BullMQ's meta and event stream included). */
  async destroy(): Promise<void> {
    await Promise.allSettled(this.opened().map((q) => q.obliterate({ force: true })));
    await this.close();
  }
}

/** Every model type "has" this live actor during the warm-up. */
const STAND_IN_ACTOR: ActorHeartbeat = Object.freeze({
  id: 'warmup',
  model: 'lgbm',
  pid: process.pid,
  host: 'warmup',
  model_version: 'warmup',
  started: new Date(0).toISOString(),
  last_seen: new Date(0).toISOString(),
  jobs_done: 0,
  concurrency: 1,
});

export interface EchoClientParts {
  /** The worker's request-path connection (must be ready). */
  redis: Redis;
  /** The worker's own reply listener (its channel is subscribed). */
  replies: ReplyListener;
  /** Names the private queues (the worker's instance id). */
  tag: string;
  logger: Logger;
  /** Where the warm-up's job timings go (a registry nobody scrapes). */
  metrics: GatewayMetrics;
  requestTimeoutMs: number;
}

/** The real ModelClient over EchoQueues; close() removes the queues' keys. */
export function openEchoClient(parts: EchoClientParts): { client: PredictionClient; close(): Promise<void> } {
  const queues = new EchoQueues(parts.redis, parts.tag);
  const client = new ModelClient(parts.redis, queues, { live: async () => [STAND_IN_ACTOR] }, parts.replies, parts.logger, {
    maxQueuedPerModel: Number.MAX_SAFE_INTEGER,
    requestTimeoutMs: parts.requestTimeoutMs,
    onResult: observeAnswers(parts.metrics, parts.logger),
  });
  return { client, close: () => queues.destroy() };
}
