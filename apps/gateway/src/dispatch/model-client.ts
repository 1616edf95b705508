import { randomUUID } from 'node:crypto';
import { ModelType, PredictionResult, PredictJobResult, redisKeys } from '@cataract/contracts';
import { isReady, type Redis } from '@cataract/service-kit';
import type { ActorRegistry } from './actor-registry';
import {
  ClientGoneError,
  DeadlineExceededError,
  NoActorError,
  QueueFullError,
  RedisUnavailableError,
  redisCall,
  UnsupportedImageError,
} from '../errors';
import type { Logger } from '../logger';
import type { ModelQueues } from './queues';
import type { ReplyListener } from './reply-listener';

/** An image stored once in Redis for the duration of one request; any number of model jobs read it. */
export interface StoredUpload {
  readonly key: string;
  readonly bytes: number;
  /**
   * Settles when Redis has answered the SET. The SET is written before any job that reads the
   * key (same connection, commands run in order), so a job need not wait for it: predict() checks
   * it together with its own enqueue, which saves the gateway a round trip per request.
   */
  readonly stored: Promise<void>;
  /**
   * Read by one job only (a single-model request): that job's actor deletes the upload with its
   * reply, and an answered predict() marks it released, so release() sends nothing. Any other end
   * of the request (504, 503, client gone) still deletes it here.
   */
  readonly singleReader: boolean;
  /** The actor deleted the bytes with its answer: release() has nothing left to do. */
  markReleased(): void;
  /** Delete the bytes (idempotent); call when the request ends, however it ends. */
  release(): Promise<void>;
}

export interface StoreUploadOptions {
  /** See StoredUpload.singleReader; false (the ensemble's shape) unless set. */
  singleReader?: boolean;
}

export interface RequestContext {
  requestId: string;
  /** Epoch ms: the request's deadline, shared by every job it enqueues. */
  deadline: number;
  /** Aborted when the client goes away: the wait ends and a still-waiting job is withdrawn. */
  signal?: AbortSignal;
}

export interface ModelClientOptions {
  maxQueuedPerModel: number;
  requestTimeoutMs: number;
  /** Uploads outlive their deadline by this much, in case the gateway dies before deleting them. */
  uploadTtlMarginMs?: number;
  /** Every job answer as it arrives (the actor's timings feed /metrics). */
  onResult?: (model: ModelType, result: PredictJobResult, requestId: string) => void;
  /** Jobs are answered by a stand-in (the warm-up), not by registered actors. */
  standInActors?: boolean;
}

/** What the routes need of a model client (the warm-up answers them with a stand-in: process/warmup/). */
export type PredictionClient = Pick<ModelClient, 'storeUpload' | 'predict'>;

/**
 * The gateway's only way to a model: store an upload once, then per model type check for a live
 * actor and queue room, enqueue a small job (upload key, request id, deadline, reply channel) and
 * await its reply. An ensemble is predict() twice over one StoredUpload.
 */
export class ModelClient {
  constructor(
    private readonly redis: Redis,
    private readonly queues: Pick<ModelQueues, 'get' | 'waiting'>,
    private readonly registry: Pick<ActorRegistry, 'live'>,
    private readonly replies: ReplyListener,
    private readonly logger: Logger,
    private readonly opts: ModelClientOptions,
  ) {}

  /** Sends the SET and returns at once; `stored` says whether it landed. Throws 503 if Redis is down. */
  storeUpload(bytes: Buffer, ctx: RequestContext, opts: StoreUploadOptions = {}): StoredUpload {
    this.assertRedis();
    const key = redisKeys.upload(randomUUID());
    const ttl = Math.max(1, ctx.deadline - Date.now()) + (this.opts.uploadTtlMarginMs ?? 2000);
    const stored = redisCall(() => this.redis.set(key, bytes, 'PX', ttl)).then(() => undefined);
    stored.catch(() => undefined); // observed by predict(); never unhandled
    let released = false;
    return {
      key,
      bytes: bytes.length,
      stored,
      singleReader: opts.singleReader ?? false,
      markReleased: () => {
        released = true;
      },
      release: async () => {
        if (released) return;
        released = true;
        await this.redis.del(key).catch((err: Error) => {
          // the TTL cleans up what a failed delete leaves behind
          this.logger.warn({ reqId: ctx.requestId, key, err: err.message }, 'could not delete upload');
        });
      },
    };
  }

  /** Resolves with the model's answer; throws an HttpError (415/503/504/502) otherwise. */
  async predict(model: ModelType, upload: StoredUpload, ctx: RequestContext): Promise<PredictionResult> {
    this.assertRedis();
    const actors = await redisCall(() => this.registry.live(model));
    if (actors.length === 0) throw new NoActorError(model);
    const waiting = await redisCall(() => this.queues.waiting(model));
    if (waiting >= this.opts.maxQueuedPerModel) throw new QueueFullError(model, waiting);

    const jobId = randomUUID();
    const pending = this.replies.register(jobId, model, this.opts.standInActors);
    const queue = this.queues.get(model);
    const ended = endOfWait(ctx, this.opts.requestTimeoutMs);
    let withdraw = false;
    const added = redisCall(() =>
      queue.add(
        'predict',
        {
          uploadKey: upload.key,
          requestId: ctx.requestId,
          deadline: ctx.deadline,
          replyTo: this.replies.channel,
          ...(upload.singleReader && { releaseUpload: true }),
        },
        { jobId },
      ),
    );
    added.catch(() => undefined); // observed below or by withdraw()
    try {
      // A failed SET fails the request (503) and withdraws the job, which would find no upload.
      await Promise.race([Promise.all([upload.stored, added]), ended.promise]);
      pending.enqueued();
      const result = await Promise.race([pending.promise, ended.promise]);
      if (upload.singleReader) upload.markReleased(); // the actor deleted it with this answer
      this.opts.onResult?.(model, result, ctx.requestId);
      if (result.status === 'rejected') throw new UnsupportedImageError(result.error.code, result.error.message);
      return result;
    } catch (err) {
      withdraw =
        err instanceof DeadlineExceededError || err instanceof ClientGoneError || err instanceof NoActorError || err instanceof RedisUnavailableError;
      throw err;
    } finally {
      pending.cancel();
      ended.dispose();
      // Before answering, so a 504/503 means the job will not be worked on later.
      if (withdraw) await this.withdraw(model, jobId, ctx.requestId, added);
    }
  }

  /**
   * Remove a job nobody waits for any more (once its add has landed, if it was still in flight).
   * An active job is locked: it finishes unseen, and the actor drops it if its deadline passed.
   */
  private async withdraw(model: ModelType, jobId: string, requestId: string, added: Promise<unknown>): Promise<void> {
    try {
      await added;
    } catch {
      return; // never enqueued
    }
    await this.queues
      .get(model)
      .remove(jobId)
      .catch((err: Error) => this.logger.debug({ reqId: requestId, jobId, err: err.message }, 'could not withdraw job'));
  }

  private assertRedis(): void {
    if (!isReady(this.redis)) throw new RedisUnavailableError();
  }

}

/** Rejects at the deadline (504) or when the client aborts; dispose() clears the timer. */
function endOfWait(ctx: RequestContext, timeoutMs: number): { promise: Promise<never>; dispose(): void } {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(timeoutMs)), Math.max(0, ctx.deadline - Date.now()));
    if (ctx.signal) {
      onAbort = () => reject(new ClientGoneError());
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  promise.catch(() => undefined); // may lose every race; never unhandled
  return {
    promise,
    dispose: () => {
      clearTimeout(timer);
      if (onAbort) ctx.signal?.removeEventListener('abort', onAbort);
    },
  };
}
