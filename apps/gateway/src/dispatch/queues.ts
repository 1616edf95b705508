import { BULL_PREFIX, JOB_DEFAULTS, ModelType, PredictJobData, QUEUE_NAMES } from '@cataract/contracts';
import { Queue, QueueOptions } from 'bullmq';
import type { Redis } from '@cataract/service-kit';

export type PredictQueue = Queue<PredictJobData>;

/**
 * One BullMQ producer per model type, created on first use and sharing the request-path Redis
 * connection (fail-fast while Redis is down). Also answers "how many jobs wait?" from a short cache
 * so the overload check costs one Redis call per type per cacheMs, not one per request.
 */
export class ModelQueues {
  private readonly queues = new Map<ModelType, PredictQueue>();
  private readonly depth = new Map<ModelType, { at: number; value: number; inflight?: Promise<number> }>();

  constructor(
    protected readonly connection: Redis,
    private readonly opts: { depthCacheMs?: number } = {},
  ) {}

  get(model: ModelType): PredictQueue {
    let q = this.queues.get(model);
    if (!q) {
      q = this.createQueue(model);
      q.on('error', () => undefined); // connection errors surface on the calls themselves
      this.queues.set(model, q);
    }
    return q;
  }

  /** The BullMQ producer of a model type (a subclass may put its jobs elsewhere: process/warmup/echo-queues.ts). */
  protected createQueue(model: ModelType): PredictQueue {
    return new Queue<PredictJobData>(QUEUE_NAMES[model], this.queueOptions());
  }

  protected queueOptions(): QueueOptions {
    return {
      connection: this.connection,
      prefix: BULL_PREFIX,
      skipWaitingForReady: true,
      defaultJobOptions: {
        attempts: JOB_DEFAULTS.attempts,
        backoff: { type: 'fixed', delay: JOB_DEFAULTS.backoffMs },
        removeOnComplete: { count: JOB_DEFAULTS.keepCompleted },
        removeOnFail: { count: JOB_DEFAULTS.keepFailed },
      },
    };
  }

  /** The producers made so far. */
  protected opened(): PredictQueue[] {
    return [...this.queues.values()];
  }

  /** Jobs waiting (not yet taken by an actor), read at most every depthCacheMs. */
  async waiting(model: ModelType): Promise<number> {
    const ttl = this.opts.depthCacheMs ?? 200;
    const now = Date.now();
    const d = this.depth.get(model);
    if (d && now - d.at < ttl) return d.value;
    if (d?.inflight) return d.inflight;
    const inflight = this.get(model)
      .getWaitingCount()
      .then((value) => {
        this.depth.set(model, { at: Date.now(), value });
        return value;
      })
      .finally(() => {
        const cur = this.depth.get(model);
        if (cur?.inflight === inflight) delete cur.inflight;
      });
    this.depth.set(model, { at: d?.at ?? 0, value: d?.value ?? 0, inflight });
    return inflight;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
