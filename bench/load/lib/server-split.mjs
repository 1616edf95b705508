import { requireFromRoot } from './root.mjs';

const { Redis } = requireFromRoot('ioredis');

/**
 * Where a request's time went on the server side, two ways:
 *  - from the gateway's GET /metrics (actor-reported job timings summed into histograms), as the
 *    mean per job over one measurement window (difference of _sum and _count), when exposed;
 *  - from BullMQ's own job records in Redis (timestamp = added, processedOn = taken by an actor,
 *    finishedOn = done; plus the actor's `timings` in the return value when it reports them),
 *    as percentiles over the jobs that finished inside the window. Always available.
 */
const HISTOGRAMS = {
  queue_wait: 'cataract_queue_wait_seconds',
  processing: 'cataract_job_processing_seconds',
  preprocess: 'cataract_preprocess_seconds',
  inference: 'cataract_inference_seconds',
  batch_size: 'cataract_batch_size',
};

export async function scrapeMetrics(base) {
  try {
    const r = await fetch(`${base}/metrics`);
    if (r.status !== 200) return undefined;
    const text = await r.text();
    const out = {};
    for (const [key, name] of Object.entries(HISTOGRAMS)) {
      for (const model of ['lgbm', 'clip']) {
        const sum = metricValue(text, `${name}_sum`, model);
        const count = metricValue(text, `${name}_count`, model);
        if (sum !== undefined && count !== undefined) out[`${model}.${key}`] = { sum, count };
      }
    }
    return Object.keys(out).length ? out : undefined;
  } catch {
    return undefined;
  }
}

function metricValue(text, name, model) {
  const m = new RegExp(`^${name}\\{[^}]*model="${model}"[^}]*\\} ([0-9.eE+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Mean per job of each histogram between two scrapes (ms, or inputs for batch_size). */
export function metricsDelta(before, after) {
  if (!before || !after) return undefined;
  const out = {};
  for (const [k, a] of Object.entries(after)) {
    const b = before[k] ?? { sum: 0, count: 0 };
    const n = a.count - b.count;
    if (n > 0) out[k] = +(((a.sum - b.sum) / n) * (k.endsWith('batch_size') ? 1 : 1000)).toFixed(2);
  }
  return Object.keys(out).length ? out : undefined;
}

/** Percentiles of queue wait / processing (and actor-reported parts) of jobs finished in [fromMs, toMs]. */
export async function jobSplit(redisUrl, model, fromMs, toMs) {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const ids = await redis.zrangebyscore(`bull:${model}:completed`, fromMs, toMs);
    if (ids.length === 0) return undefined;
    const pipe = redis.pipeline();
    for (const id of ids) pipe.hmget(`bull:${model}:${id}`, 'timestamp', 'processedOn', 'finishedOn', 'returnvalue');
    const rows = (await pipe.exec()).map(([, v]) => v).filter((v) => v && v[0] && v[1] && v[2]);
    const wait = [];
    const processing = [];
    const preprocess = [];
    const inference = [];
    const batch = [];
    for (const [ts, taken, done, rv] of rows) {
      wait.push(Number(taken) - Number(ts));
      processing.push(Number(done) - Number(taken));
      const t = safeJson(rv)?.timings;
      if (t?.preprocess_ms !== undefined) preprocess.push(t.preprocess_ms);
      if (t?.inference_ms !== undefined) inference.push(t.inference_ms);
      if (t?.batch_size !== undefined) batch.push(t.batch_size);
    }
    const summary = (xs) => (xs.length ? { p50: pct(xs, 0.5), p90: pct(xs, 0.9), p99: pct(xs, 0.99) } : undefined);
    return {
      jobs: rows.length,
      queue_wait_ms: summary(wait),
      processing_ms: summary(processing),
      ...(preprocess.length && { preprocess_ms: summary(preprocess) }),
      ...(inference.length && { inference_ms: summary(inference) }),
      ...(batch.length && { mean_batch_size: +(batch.reduce((a, b) => a + b, 0) / batch.length).toFixed(2) }),
    };
  } finally {
    redis.disconnect();
  }
}

function pct(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.min(s.length - 1, Math.floor(q * s.length))].toFixed(1);
}

function safeJson(s) {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
