#!/usr/bin/env node
/**
 * npm run bench:clip [-- --seconds 8 --rounds 4 --concurrency 32 --configs 4x1,1x1 --wait-ms 5] [--parallel] [--models-dir DIR]
 *
 * Throughput of the real clip actor process (apps/actor/dist/main.js --model clip, models/clip)
 * fed through its BullMQ queue by a closed loop of `concurrency` clients, for each configuration
 * <CLIP_MAX_BATCH>x<ORT_INTRA_OP_THREADS> (default: batching as the actor defaults to, 4x1, against off, 1x1), taking
 * turns round by round in the same run against a private redis-server. Every configuration runs the
 * same worker concurrency. With --parallel the configurations run at the same time instead (each
 * with its own Redis and clients), sharing the cores and whatever else loads the machine, which
 * steadies the ratio on a shared host. The ratio compares the first two configurations. Also profiles, in this
 * process, per-image preprocessing (imaging's imageToTensor) and ONNX inference per image at
 * batch 1 and at the first configuration's batch, to explain the ratio.
 * Needs `npx tsc -b apps/actor` first and redis-server on the PATH; photos come from
 * ../shared/data/cataract/train (synthetic noise images when absent, said in the output).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { cpuSeconds, startRedis } from './load/lib/processes.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const require = createRequire(join(ROOT, 'package.json'));
const { Queue } = require('bullmq');
const { Redis } = require('ioredis');
const sharp = require('sharp');

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '32' },
    configs: { type: 'string', default: '4x1,1x1' },
    'wait-ms': { type: 'string', default: '5' },
    photos: { type: 'string', default: '64' },
    'no-profile': { type: 'boolean', default: false },
    /** Another models directory (e.g. a clip model built on another backbone), default the repo's models/. */
    'models-dir': { type: 'string' },
    /** Run the configurations at the same time (each with its own Redis and clients) instead of in turns. */
    parallel: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(opt.seconds);
const WARMUP = Number(opt.warmup);
const ROUNDS = Number(opt.rounds);
const CONCURRENCY = Number(opt.concurrency);
const configs = opt.configs.split(',').map((c) => {
  const m = /^(\d+)x(\d+)$/.exec(c.trim());
  if (!m) throw new Error(`--configs: "${c}" is not <batch>x<threads>`);
  return { name: `batch ${m[1]} threads ${m[2]}`, batch: Number(m[1]), threads: Number(m[2]) };
});
const BATCH = configs[0].batch;
const THREADS = configs[0].threads;
const ACTOR_MAIN = join(ROOT, 'apps/actor/dist/main.js');
const MODELS_DIR = opt['models-dir'] ? resolve(opt['models-dir']) : join(ROOT, 'models');
const CLIP_DIR = require('@cataract/model-store').defaultVersionDir(MODELS_DIR, 'clip');
const SHARED = resolve(ROOT, '..', 'shared', 'data', 'cataract', 'train');

if (!existsSync(ACTOR_MAIN)) throw new Error(`${ACTOR_MAIN} missing: run npx tsc -b apps/actor first`);

async function loadPhotos(n) {
  if (existsSync(join(SHARED, 'cataract'))) {
    const files = ['cataract', 'normal'].flatMap((l) => readdirSync(join(SHARED, l)).sort().slice(0, n / 2).map((f) => join(SHARED, l, f)));
    return { source: `../shared/data/cataract/train (${files.length} photos)`, photos: files.map((f) => readFileSync(f)) };
  }
  const photos = [];
  for (let i = 0; i < n; i++) {
    const raw = Buffer.alloc(400 * 300 * 3);
    for (let k = 0; k < raw.length; k++) raw[k] = (k * 2654435761 + i * 97) >>> 24;
    photos.push(await sharp(raw, { raw: { width: 400, height: 300, channels: 3 } }).jpeg({ quality: 88 }).toBuffer());
  }
  return { source: `synthetic 400x300 JPEGs (${n}; ../shared absent)`, photos };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

/** In-process profile: where one image's time goes. */
async function profile(photos) {
  const { imageToTensor, tensorSize } = require(join(ROOT, 'packages/imaging/dist/index.js'));
  const ort = require('onnxruntime-node');
  const manifest = JSON.parse(readFileSync(join(CLIP_DIR, 'manifest.json'), 'utf8'));
  const per = tensorSize(manifest.input);
  const buf = new Float32Array(BATCH * per);
  const prep = async (parallel) => {
    const t = performance.now();
    const sample = photos.slice(0, BATCH);
    if (parallel) await Promise.all(sample.map((p, i) => imageToTensor(p, manifest.input, buf, i * per)));
    else for (const [i, p] of sample.entries()) await imageToTensor(p, manifest.input, buf, i * per);
    return (performance.now() - t) / sample.length;
  };
  await prep(true);
  const prepSerial = Math.min(await prep(false), await prep(false));
  const prepParallel = Math.min(await prep(true), await prep(true));
  const out = { preprocess_ms_per_image: { one_at_a_time: prepSerial, [`${BATCH}_concurrently`]: prepParallel }, inference_ms_per_image: {} };
  for (const threads of [...new Set([1, 2, THREADS])]) {
    const session = await ort.InferenceSession.create(readFileSync(join(CLIP_DIR, manifest.file)), { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', extra: { session: { intra_op: { allow_spinning: '0' } } } }); // as the actor's runtime
    const dims = manifest.input.layout === 'NHWC' ? [manifest.input.height, manifest.input.width, 3] : [3, manifest.input.height, manifest.input.width];
    const row = {};
    for (const n of [1, BATCH]) {
      const feed = { [manifest.input.name]: new ort.Tensor('float32', buf.subarray(0, n * per), [n, ...dims]) };
      await session.run(feed);
      const times = [];
      for (let r = 0; r < Math.max(4, Math.ceil(48 / n)); r++) {
        const t = performance.now();
        await session.run(feed);
        times.push((performance.now() - t) / n);
      }
      row[`batch_${n}`] = { min: Math.min(...times), median: median(times) };
    }
    out.inference_ms_per_image[`threads_${threads}`] = row;
    await session.release();
  }
  return out;
}

async function runRound(redisUrl, uploads, cfg, seconds = SECONDS, start = async () => undefined) {
  const id = `bench-b${cfg.batch}-t${cfg.threads}-${process.pid}-${Date.now()}`;
  const env = {
    ...process.env,
    REDIS_URL: redisUrl,
    MODELS_DIR,
    ACTOR_ID: id,
    ACTOR_CONCURRENCY: String(CONCURRENCY),
    CLIP_MAX_BATCH: String(cfg.batch),
    CLIP_MAX_WAIT_MS: opt['wait-ms'],
    ORT_INTRA_OP_THREADS: String(cfg.threads),
    LOG_LEVEL: 'warn',
  };
  const actor = spawn(process.execPath, [ACTOR_MAIN, '--model', 'clip'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  actor.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const sub = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const channel = `bench:replies:${id}`;
  const waiting = new Map();
  await sub.subscribe(channel);
  sub.on('message', (_c, m) => {
    const msg = JSON.parse(m);
    const w = waiting.get(msg.jobId);
    if (w) {
      waiting.delete(msg.jobId);
      msg.outcome === 'completed' && msg.result.status === 'ok' ? w.resolve() : w.reject(new Error(JSON.stringify(msg)));
    }
  });
  const queue = new Queue('clip', { connection: redis, prefix: 'bull' });
  const hbKey = `cataract:actors:clip:${id}`;
  for (let i = 0; !(await redis.exists(hbKey)); i++) {
    if (actor.exitCode !== null) throw new Error(`actor exited: ${stderr}`);
    if (i > 600) throw new Error('actor did not start within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const stats = async () => JSON.parse(await redis.get(hbKey)).batching ?? null;

  await start(); // parallel mode: every actor is up before any client starts
  let seq = 0;
  let done = 0;
  let counting = false;
  const latencies = [];
  let stop = false;
  const client = async () => {
    while (!stop) {
      const jobId = `${id}-${seq++}`;
      const uploadKey = uploads[seq % uploads.length];
      const t = performance.now();
      const reply = new Promise((resolve, reject) => waiting.set(jobId, { resolve, reject }));
      await queue.add('predict', { uploadKey, requestId: jobId, deadline: Date.now() + 120_000, replyTo: channel }, { jobId, removeOnComplete: 1000, removeOnFail: 1000 });
      await reply;
      if (counting) {
        done++;
        latencies.push(performance.now() - t);
      }
    }
  };
  const loops = Array.from({ length: CONCURRENCY }, client);
  await new Promise((r) => setTimeout(r, WARMUP * 1000));
  // Counters are read from the heartbeat, refreshed every second: take the deltas over whole beats.
  const s0 = await stats();
  const c0 = cpuSeconds(actor.pid);
  counting = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  counting = false;
  const c1 = cpuSeconds(actor.pid);
  const counted = done;
  const elapsed = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 1100));
  const s1 = await stats();
  stop = true;
  await Promise.all(loops);
  await queue.close();
  redis.disconnect();
  sub.disconnect();
  actor.kill('SIGTERM');
  await new Promise((r) => actor.once('exit', r));
  const batches = s1 && s0 ? s1.batches - s0.batches : null;
  return {
    config: cfg.name,
    images_per_s: counted / elapsed,
    // Load-independent: the actor's own CPU per image (the machine may be shared).
    actor_cpu_ms_per_image: c1 > c0 ? ((c1 - c0) * 1000) / counted : NaN, // cpuSeconds reads 0 once the actor is gone
    p50_ms: median(latencies),
    p95_ms: pct(latencies, 0.95),
    avg_batch_size: batches ? (s1.batched_inputs - s0.batched_inputs) / batches : 1,
  };
}

const { source, photos } = await loadPhotos(Number(opt.photos));
console.log(`clip batching benchmark: concurrency ${CONCURRENCY}, CLIP_MAX_WAIT_MS ${opt['wait-ms']}, configurations ${configs.map((c) => c.name).join(' | ')}, ${ROUNDS} x ${SECONDS} s each, ${opt.parallel ? 'at the same time' : 'in turns'}; photos: ${source}`);
if (!opt['no-profile']) console.log('profile (this process, one image at a time vs concurrently; inference ms per image, min and median):\n' + JSON.stringify(await profile(photos), (_k, v) => (typeof v === 'number' ? Number(v.toFixed(2)) : v), 1));

/** One private Redis per configuration in parallel mode (the clip queue name is fixed), else one. */
const redises = [];
for (let i = 0; i < (opt.parallel ? configs.length : 1); i++) redises.push(await startRedis());
const uploads = [];
for (const r of redises) {
  const seed = new Redis(r.url);
  for (const [i, p] of photos.entries()) await seed.set(`cataract:upload:bench-${i}`, p);
  seed.disconnect();
}
for (let i = 0; i < photos.length; i++) uploads.push(`cataract:upload:bench-${i}`);

const fixed = (x, d) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a'); // a round may complete nothing on a saturated host
const print = (r, res) =>
  console.log(
    `round ${r + 1} ${res.config.padEnd(20)} ${fixed(res.images_per_s, 1).padStart(6)} images/s  p50 ${fixed(res.p50_ms, 0)} ms  p95 ${fixed(res.p95_ms, 0)} ms  avg batch ${fixed(res.avg_batch_size, 2)}  actor CPU ${fixed(res.actor_cpu_ms_per_image, 1)} ms/image`,
  );
const results = [];
try {
  // The first actor of a run pays for cold caches (model file, modules); that round is not counted.
  await runRound(redises[0].url, uploads, { name: 'warm-up', ...configs[0] }, 2);
  for (let r = 0; r < ROUNDS; r++) {
    if (opt.parallel) {
      // The machine's other load hits every configuration at once; they share the cores.
      let arrived = 0;
      let go;
      const all = new Promise((res) => (go = res));
      const barrier = () => (++arrived === configs.length && go(), all);
      const round = await Promise.all(configs.map((cfg, k) => runRound(redises[k].url, uploads, cfg, SECONDS, barrier)));
      for (const res of round) (results.push(res), print(r, res));
      continue;
    }
    // Each round starts with another configuration, so none always runs first or last.
    for (const cfg of configs.map((_, k) => configs[(k + r) % configs.length])) {
      const res = await runRound(redises[0].url, uploads, cfg);
      results.push(res);
      print(r, res);
    }
  }
} finally {
  await Promise.all(redises.map((r) => r.stop()));
}
const mean = (name) => {
  const xs = results.filter((x) => x.config === name).map((x) => x.images_per_s);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};
const meanCpu = (name) => {
  const xs = results.filter((x) => x.config === name).map((x) => x.actor_cpu_ms_per_image);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};
for (const c of configs) console.log(`mean ${c.name.padEnd(20)} ${mean(c.name).toFixed(1).padStart(6)} images/s  actor CPU ${meanCpu(c.name).toFixed(1)} ms/image`);
if (configs.length >= 2) {
  const [a, b] = configs;
  console.log(`${a.name} vs ${b.name}: throughput ratio ${(mean(a.name) / mean(b.name)).toFixed(2)}x, CPU per image ratio (${b.name} / ${a.name}) ${(meanCpu(b.name) / meanCpu(a.name)).toFixed(2)}x`);
}
