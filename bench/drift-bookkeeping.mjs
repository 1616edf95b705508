#!/usr/bin/env node
/**
 * node bench/drift-bookkeeping.mjs [--requests 2000] [--rounds 4] [--photos 24]
 *
 * What drift monitoring costs per answer, as ratios measured in one run (docs/drift.md):
 *  1. Redis: the gateway's own Redis work per request (SET of the 58 KB upload, BullMQ add, DEL,
 *     16 requests in flight, on the gateway's request-connection settings) with drift recording
 *     off and on, rounds alternated: client CPU, redis-server CPU and wall time per request, for a
 *     single-model request (one answer recorded) and an ensemble (two answers + one comparison).
 *  2. the recording alone: client and redis-server CPU per recorded answer, and Redis memory per
 *     answer kept in the window;
 *  3. the input statistics per photo at the actor, against the decode + features (lgbm) and the
 *     tensor (clip) the actor computes anyway;
 *  4. building one /drift_status report over a full window (read + PSI).
 * Private redis-server; real photos from ../shared (rendered eyes without it). Writes
 * bench/results/drift-bookkeeping-<date>.json and .md.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuSeconds, startRedis } from './load/lib/processes.mjs';
import { sharedPhotosAvailable, SHARED_PHOTOS } from './load/lib/photos.mjs';
import { ROOT, requireFromRoot } from './load/lib/root.mjs';

const { values: args } = parseArgs({ options: { requests: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '4' }, photos: { type: 'string', default: '24' } } });
const N = Number(args.requests);
const ROUNDS = Number(args.rounds);
const IN_FLIGHT = 16;

const { Queue } = requireFromRoot('bullmq');
const pino = requireFromRoot('pino');
const { connectRedis, whenReady, closeRedis } = requireFromRoot('@cataract/service-kit');
const imaging = requireFromRoot('@cataract/imaging');
const drift = requireFromRoot(join(ROOT, 'apps', 'gateway', 'dist', 'drift'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (v, d = 3) => Number(v.toFixed(d));
const load = { start: loadavg().map((v) => round(v, 2)) };

const STATS = { long_side: 512, brightness: 131.2, colourfulness: 41.7, sharpness: 612.4 };
const answer = (model, prediction, version) => ({
  status: 'ok',
  prediction,
  confidence: 0.9,
  probabilities: { cataract: prediction === 'cataract' ? 0.9 : 0.1, normal: prediction === 'cataract' ? 0.1 : 0.9 },
  model_version: version,
  actor_id: 'bench',
  input_stats: { ...STATS, brightness: STATS.brightness + Math.random() * 40 },
});

const server = await startRedis();
const logger = pino({ level: 'silent' });
const redis = connectRedis(server.url, 'request', 'bench-drift', logger);
await whenReady(redis);
const queue = new Queue('drift-bench', { connection: redis, prefix: 'bull' });
await queue.waitUntilReady();
const window = new drift.DriftWindow(redis, { windowAnswers: 1000, windowHours: 24, onError: (e) => console.error('recording failed', e.message) });
const upload = Buffer.alloc(58_000, 7);
const result = {};

try {
  // 1. per request, drift off / on, alternated
  for (const shape of ['single', 'ensemble']) {
    const rows = { off: [], on: [] };
    for (let r = 0; r < ROUNDS * 2; r++) {
      const on = r % 2 === 1;
      let next = 0;
      const c0 = process.cpuUsage();
      const s0 = cpuSeconds(server.pid);
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next++ < N) {
            const key = `cataract:upload:bench-${next}`;
            await redis.set(key, upload, 'PX', 10_000);
            await queue.add('p', { uploadKey: key, requestId: 'r', deadline: 1, replyTo: 'c' }, { removeOnComplete: true });
            if (shape === 'ensemble') await queue.add('p', { uploadKey: key, requestId: 'r', deadline: 1, replyTo: 'c' }, { removeOnComplete: true });
            await redis.del(key);
            if (on) {
              window.recordAnswer('lgbm', answer('lgbm', 'normal', 'lgbm-bench'));
              if (shape === 'ensemble') {
                window.recordAnswer('clip', answer('clip', 'cataract', 'clip-bench'));
                window.recordEnsemble(true);
              }
            }
          }
        }),
      );
      await redis.ping(); // the last recordings, sent without waiting, have landed
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      rows[on ? 'on' : 'off'].push({ client_ms: (c.user + c.system) / 1000 / N, redis_ms: ((cpuSeconds(server.pid) - s0) * 1000) / N, wall_ms: wall / N });
      await queue.obliterate({ force: true });
    }
    const m = (side, k) => median(rows[side].map((x) => x[k]));
    result[`per_request_${shape}`] = Object.fromEntries(
      ['client_ms', 'redis_ms', 'wall_ms'].map((k) => [k, { off: round(m('off', k), 4), on: round(m('on', k), 4), ratio_on_off: round(m('on', k) / m('off', k)) }]),
    );
  }

  // 2. the recording alone, and memory per kept answer
  await redis.flushall();
  const calls = 20_000;
  const c0 = process.cpuUsage();
  const s0 = cpuSeconds(server.pid);
  for (let i = 0; i < calls; i++) {
    window.recordAnswer('lgbm', answer('lgbm', i % 3 ? 'normal' : 'cataract', 'lgbm-bench'));
    if (i % 256 === 255) await redis.ping(); // bound what is in flight, as real traffic does
  }
  await redis.ping();
  const c = process.cpuUsage(c0);
  const answersKey = drift.driftKeys.answers('lgbm', 'lgbm-bench');
  const bytes = Number(await redis.call('MEMORY', 'USAGE', answersKey, 'SAMPLES', '0'));
  result.recording_alone = {
    client_us_per_answer: round(((c.user + c.system) / calls), 2),
    redis_us_per_answer: round(((cpuSeconds(server.pid) - s0) * 1e6) / calls, 2),
    window_answers_kept: await redis.llen(answersKey),
    redis_bytes_per_kept_answer: round(bytes / (await redis.llen(answersKey)), 1),
  };

  // 3. input statistics per photo at the actor
  const photos = sharedPhotosAvailable()
    ? ['cataract', 'normal'].flatMap((l) => readdirSync(join(SHARED_PHOTOS, l)).sort().slice(0, Number(args.photos) / 2).map((f) => readFileSync(join(SHARED_PHOTOS, l, f))))
    : await imaging.renderSampleEyePhotos();
  const spec = { layout: 'NHWC', width: 224, height: 224, channels: 3, mean: [0, 0, 0], std: [1, 1, 1], resize: 'fill' };
  const timed = async (f, reps = 5) => {
    const xs = [];
    for (let k = 0; k < reps; k++) {
      const t = performance.now();
      await f();
      xs.push(performance.now() - t);
    }
    return median(xs);
  };
  const per = { decode_features_ms: [], stats_lgbm_ms: [], tensor_ms: [], stats_clip_ms: [] };
  for (const p of photos) {
    const working = await imaging.decodeWorkingImage(p);
    const tensor = await imaging.imageToTensor(p, spec);
    const source = imaging.sourceSizeOf(p);
    per.decode_features_ms.push(await timed(async () => imaging.featuresFromWorkingImage(await imaging.decodeWorkingImage(p))));
    per.stats_lgbm_ms.push(await timed(() => imaging.inputStatsOfRgb(working, 128, 128, imaging.sourceSizeOf(p)), 20));
    per.tensor_ms.push(await timed(() => imaging.imageToTensor(p, spec)));
    per.stats_clip_ms.push(await timed(() => imaging.inputStatsOfTensor(tensor, 0, spec, source), 20));
  }
  const pm = Object.fromEntries(Object.entries(per).map(([k, v]) => [k, median(v)]));
  result.statistics_per_photo = {
    photos: photos.length,
    source: sharedPhotosAvailable() ? '../shared/data/cataract/train' : 'rendered eyes',
    ...Object.fromEntries(Object.entries(pm).map(([k, v]) => [k, round(v, 4)])),
    ratio_lgbm_stats_to_decode_features: round(pm.stats_lgbm_ms / pm.decode_features_ms, 4),
    ratio_clip_stats_to_tensor: round(pm.stats_clip_ms / pm.tensor_ms, 4),
  };

  // 4. one report over a full window: two versions of 1000 answers, 1000 ensemble comparisons
  await redis.flushall();
  for (let i = 0; i < 1000; i++) {
    window.recordAnswer('lgbm', answer('lgbm', i % 2 ? 'normal' : 'cataract', 'lgbm-bench'));
    window.recordAnswer('clip', answer('clip', i % 2 ? 'normal' : 'cataract', 'clip-bench'));
    window.recordEnsemble(i % 7 === 0);
    if (i % 256 === 255) await redis.ping();
  }
  await redis.ping();
  const reference = imaging.buildReferenceStats(Array.from({ length: 476 }, (_, i) => ({ ...STATS, brightness: 100 + (i % 80), sharpness: 300 + i })), imaging.LGBM_STATS_VIEW);
  const monitor = new drift.DriftMonitor({
    window,
    baselines: { get: async () => ({ reference, trainingPositiveRate: 0.5 }) },
    servingVersion: async (m) => `${m}-bench`,
    servedModels: ['lgbm', 'clip'],
    settings: drift.loadDriftSettings({}),
    cacheMs: 0,
  });
  const reports = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await monitor.status();
    reports.push(performance.now() - t);
  }
  result.report_over_full_window = { answers_read: 3000, ms: round(median(reports), 2) };
} finally {
  await queue.close();
  await closeRedis(redis);
  await server.stop();
}

load.end = loadavg().map((v) => round(v, 2));
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const out = { benchmark: 'drift-bookkeeping', date: new Date().toISOString(), node: process.version, requests_per_round: N, rounds_per_side: ROUNDS, in_flight: IN_FLIGHT, loadavg: load, ...result };
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const base = join(ROOT, 'bench', 'results', `drift-bookkeeping-${stamp}`);
writeFileSync(`${base}.json`, `${JSON.stringify(out, null, 2)}\n`);
const s = result.per_request_single;
const e = result.per_request_ensemble;
const md = [
  `# Drift bookkeeping, ${out.date}`,
  '',
  `\`node bench/drift-bookkeeping.mjs --requests ${N} --rounds ${ROUNDS}\` (private redis-server, ${IN_FLIGHT} requests in flight, medians of ${ROUNDS} alternated rounds per side). Load average at start ${load.start.join(' ')}, at end ${load.end.join(' ')}.`,
  '',
  '| per request (gateway Redis work) | client CPU ms off / on | ratio | redis-server CPU ms off / on | ratio | wall ms off / on | ratio |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...[['single model (1 answer)', s], ['ensemble (2 answers + 1 comparison)', e]].map(
    ([name, x]) => `| ${name} | ${x.client_ms.off} / ${x.client_ms.on} | ${x.client_ms.ratio_on_off} | ${x.redis_ms.off} / ${x.redis_ms.on} | ${x.redis_ms.ratio_on_off} | ${x.wall_ms.off} / ${x.wall_ms.on} | ${x.wall_ms.ratio_on_off} |`,
  ),
  '',
  `Recording alone: ${result.recording_alone.client_us_per_answer} µs gateway CPU and ${result.recording_alone.redis_us_per_answer} µs redis-server CPU per answer; ${result.recording_alone.redis_bytes_per_kept_answer} bytes of Redis per answer kept (${result.recording_alone.window_answers_kept} kept per version).`,
  '',
  `Input statistics at the actor (${result.statistics_per_photo.photos} photos, ${result.statistics_per_photo.source}): lgbm ${result.statistics_per_photo.stats_lgbm_ms} ms against ${result.statistics_per_photo.decode_features_ms} ms decode + features (ratio ${result.statistics_per_photo.ratio_lgbm_stats_to_decode_features}); clip ${result.statistics_per_photo.stats_clip_ms} ms against ${result.statistics_per_photo.tensor_ms} ms for the tensor (ratio ${result.statistics_per_photo.ratio_clip_stats_to_tensor}).`,
  '',
  `One /drift_status report over a full window (${result.report_over_full_window.answers_read} entries): ${result.report_over_full_window.ms} ms.`,
  '',
].join('\n');
writeFileSync(`${base}.md`, md);
console.log(md);
console.log(`written: ${base}.json, .md`);
