import { hostname } from 'node:os';
import { ActorHeartbeat, ActorVersions, BatchingStats, ModelType, redisKeys } from '@cataract/contracts';
import { withTimeout } from '@cataract/concurrency';
import type { Logger, Redis } from '@cataract/service-kit';

export interface HeartbeatOptions {
  model: ModelType;
  actorId: string;
  modelVersion: string;
  /** The versions the actor holds (its serving one is then the record's model_version). */
  versions?: () => ActorVersions;
  concurrency: number;
  /** Counters of a batching scheduler, published with every beat (undefined: the scheduler does not batch). */
  batching?: () => BatchingStats | undefined;
  intervalMs: number;
  ttlMs: number;
}

/**
 * Liveness record in Redis: a JSON key with a TTL, rewritten every intervalMs, plus membership in
 * the type's index set (readers prune members whose key expired). A killed actor simply stops
 * beating and disappears within ttlMs; a stopping one deletes its record at once.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private jobsDone = 0;
  private readonly started = new Date().toISOString();
  private readonly key: string;
  private readonly index: string;
  private failing = false;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly opts: HeartbeatOptions,
  ) {
    this.key = redisKeys.actor(opts.model, opts.actorId);
    this.index = redisKeys.actorIndex(opts.model);
  }

  record(): ActorHeartbeat {
    const versions = this.opts.versions?.();
    const batching = this.opts.batching?.();
    return {
      id: this.opts.actorId,
      model: this.opts.model,
      pid: process.pid,
      host: hostname(),
      model_version: versions?.serving ?? this.opts.modelVersion,
      ...(versions && { versions }),
      started: this.started,
      last_seen: new Date().toISOString(),
      jobs_done: this.jobsDone,
      concurrency: this.opts.concurrency,
      ...(batching && { batching }),
    };
  }

  jobDone(): void {
    this.jobsDone++;
  }

  /** Beats once (awaited, so the caller knows it is visible) and then every intervalMs. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.opts.intervalMs);
  }

  async beat(): Promise<void> {
    try {
      await this.redis
        .multi()
        .set(this.key, JSON.stringify(this.record()), 'PX', this.opts.ttlMs)
        .sadd(this.index, this.opts.actorId)
        .exec();
      if (this.failing) this.logger.info('heartbeat restored');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.logger.warn({ err: (err as Error).message }, 'heartbeat failed; retrying');
      this.failing = true;
    }
  }

  /** Stop beating and remove the record, so gateways stop counting this actor at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    try {
      // Bounded: with Redis down the command would wait for a reconnect forever; the key expires anyway.
      await withTimeout(this.redis.multi().del(this.key).srem(this.index, this.opts.actorId).exec(), 1000);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not delete heartbeat; it expires on its own');
    }
  }
}
