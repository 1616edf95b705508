import { HEARTBEAT, ModelType, PredictJobResult, PredictJobResultSchema, ReplyMessageSchema } from '@cataract/contracts';
import { Job } from 'bullmq';
import type { ActorRegistry } from './actor-registry';
import { InferenceFailedError, JobLostError, NoActorError, RedisUnavailableError } from '../errors';
import type { Logger } from '../logger';
import type { ModelQueues } from './queues';
import { withTimeout } from '@cataract/concurrency';
import type { Redis } from '@cataract/service-kit';

interface Pending {
  model: ModelType;
  /** When the job was enqueued; undefined until then (a job not yet added must not be polled). */
  since: number | undefined;
  /** When the safety net next reads this job's stored state (backs off while the job is unfinished). */
  nextPollAt?: number;
  resolve(result: PredictJobResult): void;
  reject(err: Error): void;
}

export interface PendingReply {
  readonly promise: Promise<PredictJobResult>;
  /** The job is in the queue now: from here on the safety net may read its stored state. */
  enqueued(): void;
  /** Stop waiting (the request ended some other way). */
  cancel(): void;
}

export interface ReplyListenerOptions {
  /** Tick of the safety-net loop. */
  pollIntervalMs?: number;
  /** Only requests waiting longer than this have their job's stored state read. */
  pollAfterMs?: number;
  /** Longest gap between two reads of one job's state (the gap doubles with the job's age up to this). */
  maxPollGapMs?: number;
  /** A type without any live actor for longer than this fails its waiting requests with 503. */
  noActorGraceMs?: number;
  /** Redis unreachable for longer than this fails all waiting requests with 503 (replies cannot arrive). */
  redisDownGraceMs?: number;
}

/**
 * Resolves waiting requests from the reply pub/sub channel of this gateway worker. Pub/sub is
 * at-most-once, so one loop also reads the stored state of jobs that waited longer than
 * pollAfterMs (their return value is the same result), and fails the waits of a model type that
 * has had no live actor for noActorGraceMs. No timer per request, no QueueEvents stream.
 */
export class ReplyListener {
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private readonly pollIntervalMs: number;
  private readonly pollAfterMs: number;
  private readonly maxPollGapMs: number;
  private readonly noActorGraceMs: number;
  private readonly redisDownGraceMs: number;
  private redisDownSince: number | undefined;

  constructor(
    private readonly commands: Redis,
    private readonly subscriber: Redis,
    readonly channel: string,
    private readonly queues: ModelQueues,
    private readonly registry: ActorRegistry,
    private readonly logger: Logger,
    opts: ReplyListenerOptions = {},
  ) {
    this.pollIntervalMs = opts.pollIntervalMs ?? 300;
    this.pollAfterMs = opts.pollAfterMs ?? 1000;
    this.maxPollGapMs = opts.maxPollGapMs ?? 2000;
    this.noActorGraceMs = opts.noActorGraceMs ?? HEARTBEAT.ttlMs;
    this.redisDownGraceMs = opts.redisDownGraceMs ?? 1000;
  }

  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.onMessage(message);
    });
    await this.subscriber.subscribe(this.channel);
    this.timer = setInterval(() => void this.tick(), this.pollIntervalMs);
    this.timer.unref();
  }

  get size(): number {
    return this.pending.size;
  }

  /** Register before enqueuing, so a reply can never arrive before its waiter. */
  register(jobId: string, model: ModelType): PendingReply {
    let entry!: Pending;
    const promise = new Promise<PredictJobResult>((resolve, reject) => {
      entry = { model, since: undefined, resolve, reject };
    });
    this.pending.set(jobId, entry);
    return {
      promise,
      enqueued: () => {
        entry.since = Date.now();
      },
      cancel: () => {
        if (this.pending.get(jobId) === entry) this.pending.delete(jobId);
      },
    };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    try {
      // Bounded: while Redis is down the command would wait for a reconnect; we are closing anyway.
      await withTimeout(this.subscriber.unsubscribe(this.channel), 1000, () => undefined);
    } catch {
      // closing anyway
    }
  }

  private settle(jobId: string, outcome: { result: PredictJobResult } | { error: Error }): void {
    const p = this.pending.get(jobId);
    if (!p) return; // already answered (pub/sub and poll can both deliver) or abandoned
    this.pending.delete(jobId);
    if ('result' in outcome) p.resolve(outcome.result);
    else p.reject(outcome.error);
  }

  private onMessage(message: string): void {
    let parsed;
    try {
      parsed = ReplyMessageSchema.safeParse(JSON.parse(message));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      this.logger.warn({ channel: this.channel }, 'ignoring malformed reply message');
      return;
    }
    const msg = parsed.data;
    const p = this.pending.get(msg.jobId);
    if (!p) return;
    if (msg.outcome === 'completed') this.settle(msg.jobId, { result: msg.result });
    else this.settle(msg.jobId, { error: new InferenceFailedError(p.model, msg.message) });
  }

  /** One pass of the safety net; never overlaps itself. */
  async tick(): Promise<void> {
    if (this.polling || this.pending.size === 0) return;
    this.polling = true;
    try {
      if (this.failAllIfRedisDown()) return;
      await this.failTypesWithoutActors();
      await this.pollStoredState();
    } catch (err) {
      this.logger.debug({ err: (err as Error).message }, 'reply safety-net pass failed; retrying next tick');
    } finally {
      this.polling = false;
    }
  }

  private failAllIfRedisDown(): boolean {
    if (this.commands.status === 'ready') {
      this.redisDownSince = undefined;
      return false;
    }
    const now = Date.now();
    this.redisDownSince ??= now;
    if (now - this.redisDownSince <= this.redisDownGraceMs) return true;
    for (const jobId of [...this.pending.keys()]) this.settle(jobId, { error: new RedisUnavailableError() });
    return true;
  }

  private async failTypesWithoutActors(): Promise<void> {
    const models = new Set([...this.pending.values()].map((p) => p.model));
    await this.registry.snapshot();
    for (const model of models) {
      if (this.registry.msWithoutActor(model) <= this.noActorGraceMs) continue;
      for (const [jobId, p] of this.pending) {
        if (p.model === model) this.settle(jobId, { error: new NoActorError(model) });
      }
    }
  }

  private async pollStoredState(): Promise<void> {
    // A job is first read pollAfterMs after it was enqueued, then again after a gap equal to its
    // age (capped at maxPollGapMs): 1, 2, 4, 6, 8 s... Under overload, when every request waits
    // seconds, reading each one every tick made the safety net itself the gateway's main load.
    const now = Date.now();
    const due = [...this.pending].filter(([, p]) => p.since !== undefined && now >= (p.nextPollAt ?? p.since + this.pollAfterMs));
    for (const [, p] of due) p.nextPollAt = now + Math.min(this.maxPollGapMs, Math.max(this.pollIntervalMs, now - p.since!));
    await Promise.all(
      due.map(async ([jobId, p]) => {
        const job = await Job.fromId(this.queues.get(p.model), jobId);
        if (!job) {
          if (this.pending.has(jobId)) this.settle(jobId, { error: new JobLostError(p.model) });
          return;
        }
        const result = PredictJobResultSchema.safeParse(job.returnvalue);
        if (result.success) this.settle(jobId, { result: result.data });
        else if (job.finishedOn) this.settle(jobId, { error: new InferenceFailedError(p.model, job.failedReason || 'job failed') });
      }),
    );
  }
}
