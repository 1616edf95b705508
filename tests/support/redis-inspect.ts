import { BULL_PREFIX, KEY_NAMESPACE, MODEL_TYPES, ModelType, QUEUE_NAMES } from '@cataract/contracts';
import { Redis } from 'ioredis';

/**
 * A census of a test Redis: every key sorted into what it is (an upload, a heartbeat, a BullMQ job
 * or one of a queue's fixed keys), so a test can tell "back to baseline" from "a leak", and name
 * the leak. Opens its own short-lived connection per call (works across Redis restarts).
 */

/** BullMQ's fixed per-queue keys (bullmq/dist/cjs/classes/queue-keys.js); anything else under a queue is a job. */
const QUEUE_FIXED_KEYS = new Set([
  'active',
  'wait',
  'waiting-children',
  'paused',
  'id',
  'delayed',
  'prioritized',
  'stalled-check',
  'completed',
  'failed',
  'stalled',
  'repeat',
  'limiter',
  'meta',
  'events',
  'pc',
  'marker',
  'de',
]);

export interface QueueCensus {
  /** Jobs by state, from the state lists / sorted sets. */
  counts: { wait: number; active: number; delayed: number; prioritized: number; paused: number; waitingChildren: number; completed: number; failed: number };
  /** Job hashes (bull:<q>:<jobId>) present. */
  jobHashes: number;
  /** Job hashes that belong to no state (neither waiting, active, delayed, completed nor failed): leaked. */
  orphanJobs: string[];
  /** Lock keys of active jobs (bull:<q>:<jobId>:lock). */
  locks: number;
  /** Other per-job keys (e.g. :logs). */
  otherJobKeys: number;
  /** The queue's fixed keys present (meta, id, events, completed...). */
  fixedKeys: string[];
}

export interface KeyCensus {
  dbsize: number;
  uploads: string[];
  /** Live heartbeat records per model type (cataract:actors:<type>:<id>). */
  heartbeats: Record<ModelType, string[]>;
  /** Members of each type's actor index set. */
  actorIndex: Record<ModelType, string[]>;
  queues: Record<ModelType, QueueCensus>;
  /** The model store's state keys (cataract:models:...: serving state, a prepare request, shadow counters). */
  modelKeys: string[];
  /**
   * The retained uploads' request-id index (cataract:retained:<request id>, SAVE_UPLOADS): one per
   * kept upload, expiring with the retention period, so expected to stay after the load.
   */
  retainedIndex: string[];
  /**
   * Drift monitoring's window (cataract:drift:...: per model version one capped answers list and
   * review sets, the ensemble list, the index): a handful of keys whatever the load, expiring.
   */
  driftKeys: string[];
  /** Keys that fit none of the above. */
  unknown: string[];
}

async function scanAll(redis: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

export async function keyCensus(redisUrl: string): Promise<KeyCensus> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const keys = await scanAll(redis);
    const dbsize = await redis.dbsize();
    const census: KeyCensus = {
      dbsize,
      uploads: [],
      heartbeats: Object.fromEntries(MODEL_TYPES.map((t) => [t, []])) as unknown as Record<ModelType, string[]>,
      actorIndex: Object.fromEntries(MODEL_TYPES.map((t) => [t, []])) as unknown as Record<ModelType, string[]>,
      queues: {} as Record<ModelType, QueueCensus>,
      modelKeys: [],
      retainedIndex: [],
      driftKeys: [],
      unknown: [],
    };
    const jobIds = Object.fromEntries(MODEL_TYPES.map((t) => [t, new Set<string>()])) as Record<ModelType, Set<string>>;
    for (const t of MODEL_TYPES) {
      census.queues[t] = {
        counts: { wait: 0, active: 0, delayed: 0, prioritized: 0, paused: 0, waitingChildren: 0, completed: 0, failed: 0 },
        jobHashes: 0,
        orphanJobs: [],
        locks: 0,
        otherJobKeys: 0,
        fixedKeys: [],
      };
    }
    const queueOf = new Map(MODEL_TYPES.map((t) => [`${BULL_PREFIX}:${QUEUE_NAMES[t]}:`, t]));
    for (const key of keys) {
      if (key.startsWith(`${KEY_NAMESPACE}:upload:`)) {
        census.uploads.push(key);
        continue;
      }
      if (key.startsWith(`${KEY_NAMESPACE}:models:`)) {
        census.modelKeys.push(key);
        continue;
      }
      if (key.startsWith(`${KEY_NAMESPACE}:retained:`)) {
        census.retainedIndex.push(key);
        continue;
      }
      if (key.startsWith(`${KEY_NAMESPACE}:drift:`)) {
        census.driftKeys.push(key);
        continue;
      }
      const actor = /^([^:]+):actors:([^:]+)(?::(.+))?$/.exec(key);
      if (actor && actor[1] === KEY_NAMESPACE && (MODEL_TYPES as readonly string[]).includes(actor[2])) {
        const t = actor[2] as ModelType;
        if (actor[3] !== undefined) census.heartbeats[t].push(actor[3]);
        else census.actorIndex[t] = (await redis.smembers(key)).sort();
        continue;
      }
      const prefix = [...queueOf.keys()].find((p) => key.startsWith(p));
      if (!prefix) {
        census.unknown.push(key);
        continue;
      }
      const t = queueOf.get(prefix)!;
      const q = census.queues[t];
      const rest = key.slice(prefix.length);
      if (QUEUE_FIXED_KEYS.has(rest) || rest.startsWith('de:') || rest.startsWith('repeat:')) {
        q.fixedKeys.push(rest);
        continue;
      }
      const [jobId, sub] = rest.split(':');
      if (sub === undefined) {
        q.jobHashes++;
        jobIds[t].add(jobId);
      } else if (sub === 'lock') q.locks++;
      else q.otherJobKeys++;
    }
    for (const t of MODEL_TYPES) {
      const k = (s: string) => `${BULL_PREFIX}:${QUEUE_NAMES[t]}:${s}`;
      const [wait, active, paused, delayed, prioritized, waitingChildren, completed, failed] = await Promise.all([
        redis.lrange(k('wait'), 0, -1),
        redis.lrange(k('active'), 0, -1),
        redis.lrange(k('paused'), 0, -1),
        redis.zrange(k('delayed'), '0', '-1'),
        redis.zrange(k('prioritized'), '0', '-1'),
        redis.zrange(k('waiting-children'), '0', '-1'),
        redis.zrange(k('completed'), '0', '-1'),
        redis.zrange(k('failed'), '0', '-1'),
      ]);
      const q = census.queues[t];
      q.counts = {
        wait: wait.length,
        active: active.length,
        paused: paused.length,
        delayed: delayed.length,
        prioritized: prioritized.length,
        waitingChildren: waitingChildren.length,
        completed: completed.length,
        failed: failed.length,
      };
      const known = new Set([...wait, ...active, ...paused, ...delayed, ...prioritized, ...waitingChildren, ...completed, ...failed]);
      q.orphanJobs = [...jobIds[t]].filter((id) => !known.has(id));
      q.fixedKeys.sort();
    }
    for (const t of MODEL_TYPES) census.heartbeats[t].sort();
    census.uploads.sort();
    census.unknown.sort();
    census.modelKeys.sort();
    census.driftKeys.sort();
    return census;
  } finally {
    redis.disconnect();
  }
}

/** Jobs that are still queued or running (anything but completed / failed) across all queues. */
export function unfinishedJobs(c: KeyCensus): number {
  return MODEL_TYPES.reduce((n, t) => {
    const x = c.queues[t].counts;
    return n + x.wait + x.active + x.delayed + x.prioritized + x.paused + x.waitingChildren;
  }, 0);
}

/** Keys whose number does not depend on how many requests were served: everything but finished jobs' hashes and the retained uploads' index. */
export function structuralKeyCount(c: KeyCensus): number {
  return c.dbsize - c.retainedIndex.length - MODEL_TYPES.reduce((n, t) => n + c.queues[t].jobHashes + c.queues[t].otherJobKeys, 0);
}

/** Ids of the jobs in a queue's active list, grouped by the worker (actor id) that holds each. */
export async function activeJobsByWorker(redisUrl: string, model: ModelType): Promise<Record<string, string[]>> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const k = (s: string) => `${BULL_PREFIX}:${QUEUE_NAMES[model]}:${s}`;
    const ids = await redis.lrange(k('active'), 0, -1);
    // BullMQ stores the worker name (the actor id) in the job hash's 'pb' (processedBy) field.
    const owners = ids.length > 0 ? await Promise.all(ids.map((id) => redis.hget(k(id), 'pb'))) : [];
    const out: Record<string, string[]> = {};
    ids.forEach((id, i) => (out[owners[i] ?? '?'] ??= []).push(id));
    return out;
  } finally {
    redis.disconnect();
  }
}

/** Where each of `jobIds` ended: 'completed', 'failed', another state, or 'gone' (hash removed). */
export async function jobStates(redisUrl: string, model: ModelType, jobIds: readonly string[]): Promise<Record<string, { state: string; actorId?: string; failedReason?: string }>> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const k = (s: string) => `${BULL_PREFIX}:${QUEUE_NAMES[model]}:${s}`;
    const out: Record<string, { state: string; actorId?: string; failedReason?: string }> = {};
    for (const id of jobIds) {
      const [hash, completed, failed] = await Promise.all([redis.hgetall(k(id)), redis.zscore(k('completed'), id), redis.zscore(k('failed'), id)]);
      if (Object.keys(hash).length === 0) out[id] = { state: 'gone' };
      else {
        let actorId: string | undefined;
        try {
          actorId = hash.returnvalue ? (JSON.parse(hash.returnvalue) as { actor_id?: string }).actor_id : undefined;
        } catch {
          actorId = undefined;
        }
        out[id] = { state: completed !== null ? 'completed' : failed !== null ? 'failed' : 'unfinished', actorId, failedReason: hash.failedReason };
      }
    }
    return out;
  } finally {
    redis.disconnect();
  }
}
