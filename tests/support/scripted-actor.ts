import { hostname } from 'node:os';
import {
  ActorHeartbeat,
  BULL_PREFIX,
  HEARTBEAT,
  ModelType,
  PredictJobData,
  PredictJobResult,
  QUEUE_NAMES,
  redisKeys,
  ReplyMessage,
} from '@cataract/contracts';
import { Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';

export interface ScriptedActorOptions {
  redisUrl: string;
  model?: ModelType;
  id?: string;
  version?: string;
  /** What a job answers (default: a fixed 'normal' prediction). Throw to fail the attempt. */
  handle?: (data: PredictJobData, job: Job<PredictJobData>) => Promise<PredictJobResult> | PredictJobResult;
  /** Publish the reply on data.replyTo (default true); false simulates a lost pub/sub message. */
  publish?: boolean;
  concurrency?: number;
  heartbeat?: boolean;
}

export interface ScriptedActor {
  id: string;
  jobs: string[];
  heartbeatNow(): Promise<void>;
  stopHeartbeat(): Promise<void>;
  close(): Promise<void>;
}

export const okResult = (actorId: string, pCataract = 0.25, version = 'scripted-v1'): PredictJobResult => ({
  status: 'ok',
  prediction: pCataract >= 0.5 ? 'cataract' : 'normal',
  confidence: pCataract >= 0.5 ? pCataract : 1 - pCataract,
  probabilities: { cataract: pCataract, normal: 1 - pCataract },
  model_version: version,
  actor_id: actorId,
});

/**
 * A stand-in model actor for gateway tests: the same queue, heartbeat and reply contract as
 * apps/actor, with a scripted answer, so tests can make a job slow, fail, or lose its reply.
 */
export async function startScriptedActor(opts: ScriptedActorOptions): Promise<ScriptedActor> {
  const model = opts.model ?? 'lgbm';
  const id = opts.id ?? `scripted-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  const version = opts.version ?? 'scripted-v1';
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  const jobs: string[] = [];
  const worker = new Worker<PredictJobData, PredictJobResult>(
    QUEUE_NAMES[model],
    async (job) => {
      jobs.push(String(job.id));
      const result = opts.handle ? await opts.handle(job.data, job) : okResult(id, 0.25, version);
      if (opts.publish !== false) {
        const msg: ReplyMessage = { outcome: 'completed', jobId: String(job.id), result };
        await redis.publish(job.data.replyTo, JSON.stringify(msg));
      }
      // As the real actor does (apps/actor/src/reply-publisher.ts): the only reader deletes the upload once answered.
      if (job.data.releaseUpload) await redis.del(job.data.uploadKey);
      return result;
    },
    { connection: redis, prefix: BULL_PREFIX, concurrency: opts.concurrency ?? 4, lockDuration: 4000, stalledInterval: 1000 },
  );
  worker.on('error', () => undefined);
  await worker.waitUntilReady();
  const started = new Date().toISOString();
  const beat = async () => {
    const hb: ActorHeartbeat = {
      id,
      model,
      pid: process.pid,
      host: hostname(),
      model_version: version,
      started,
      last_seen: new Date().toISOString(),
      jobs_done: jobs.length,
      concurrency: opts.concurrency ?? 4,
    };
    await redis.multi().set(redisKeys.actor(model, id), JSON.stringify(hb), 'PX', HEARTBEAT.ttlMs).sadd(redisKeys.actorIndex(model), id).exec();
  };
  let timer: NodeJS.Timeout | undefined;
  if (opts.heartbeat !== false) {
    await beat();
    timer = setInterval(() => void beat().catch(() => undefined), HEARTBEAT.intervalMs);
  }
  const stopHeartbeat = async () => {
    clearInterval(timer);
    timer = undefined;
    await redis.multi().del(redisKeys.actor(model, id)).srem(redisKeys.actorIndex(model), id).exec();
  };
  return {
    id,
    jobs,
    heartbeatNow: beat,
    stopHeartbeat,
    close: async () => {
      clearInterval(timer);
      await worker.close(true);
      if (redis.status === 'ready') await stopHeartbeat().catch(() => undefined);
      redis.disconnect();
    },
  };
}
