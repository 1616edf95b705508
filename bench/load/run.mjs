#!/usr/bin/env node
/**
 * npm run bench:load [-- --seconds 10 --concurrency 1,8,32,64 --endpoints lgbm,clip,ensemble
 *                       --sets jpeg,png1500 --goal-seconds 15 --rounds 2 --quick --env KEY=VALUE ...]
 *
 * The cluster as `npm start` runs it (supervisor, gateway cluster, actors; private redis-server)
 * under a closed-loop HTTP load (autocannon) per endpoint and concurrency, beside in-process
 * baselines of the same photos measured in the same invocation, so every figure is also a ratio.
 * See bench/README.md. Needs `npm run build` (or tsc -b of the apps) and ../shared's photos.
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bareDecode, inProcessBaselines, lgbmInProcess, meanBaselines, round } from './lib/baseline.mjs';
import { envFromPairs, startCluster, stopAllClusters } from './lib/cluster.mjs';
import { runFetchLoad } from './lib/fetch-load.mjs';
import { multipartBodies, runLoad } from './lib/load.mjs';
import { describeSet, photoSets } from './lib/photos.mjs';
import { cpuPerRequest } from './lib/processes.mjs';
import { writeReport } from './lib/report.mjs';
import { ROOT, requireFromRoot } from './lib/root.mjs';
import { jobSplit, metricsDelta, scrapeMetrics } from './lib/server-split.mjs';

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '1,8,32,64' },
    endpoints: { type: 'string', default: 'lgbm,clip,ensemble' },
    sets: { type: 'string', default: 'jpeg,png1500' },
    'goal-seconds': { type: 'string', default: '15' },
    'baseline-seconds': { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    'clip-batch': { type: 'string' },
    quick: { type: 'boolean', default: false },
    'no-sweep': { type: 'boolean', default: false },
    'no-goal': { type: 'boolean', default: false },
    'no-clip-compare': { type: 'boolean', default: false },
    env: { type: 'string', multiple: true, default: [] },
    profile: { type: 'string' },
    label: { type: 'string', default: '' },
  },
});
if (opt.quick) Object.assign(opt, { seconds: '5', concurrency: '8,32', sets: 'jpeg', 'goal-seconds': '8', 'baseline-seconds': '3', rounds: '1' });
const SECONDS = Number(opt.seconds);
const WARMUP = Number(opt.warmup);
const BASE_S = Number(opt['baseline-seconds']);
const clusterEnv = envFromPairs(opt.env);
// --profile DIR: every gateway and actor process writes a .cpuprofile there (see profile-summary.mjs)
const profileEnv = opt.profile ? profilingEnv(opt.profile) : {};
// The clip actor's batch size as configured (its default, or CLIP_MAX_BATCH from --env): the
// in-process batched baseline uses the same, and the comparison cluster matches its job concurrency.
const actorClip = requireFromRoot(join(ROOT, 'apps/actor/dist/config.js')).loadConfig(['--model', 'clip'], { ...process.env, ...clusterEnv });
const CLIP_BATCH = Number(opt['clip-batch'] ?? actorClip.batching.maxBatch);
const CLIP_CONCURRENCY = actorClip.concurrency;
const log = (...a) => process.stderr.write(`[bench:load ${new Date().toISOString().slice(11, 19)}] ${a.join(' ')}\n`);
const load1 = () => round(loadavg()[0], 2);

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    log(`${sig}: stopping the clusters`);
    void stopAllClusters().finally(() => process.exit(130));
  });
}
process.once('uncaughtException', (err) => {
  log(`crashed: ${err.stack ?? err}`);
  void stopAllClusters().finally(() => process.exit(1));
});
process.once('unhandledRejection', (err) => {
  log(`crashed: ${err?.stack ?? err}`);
  void stopAllClusters().finally(() => process.exit(1));
});

const started = new Date();
const result = {
  command: `npm run bench:load${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
  date: started.toISOString(),
  label: opt.label || undefined,
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version, load_average_at_start: loadavg().map((v) => round(v, 2)) },
  cluster_env: clusterEnv,
  settings: { seconds: SECONDS, warmup: WARMUP, baseline_seconds: BASE_S, client: 'autocannon (keep-alive, prebuilt multipart bodies)' },
};

const sets = await photoSets();
const wanted = Object.fromEntries(opt.sets.split(',').map((s) => [s, sets[s]]));
result.photos = Object.fromEntries(Object.entries({ ...wanted, goal: sets.goal }).map(([k, v]) => [k, describeSet(v)]));

log('in-process baselines (before)');
const before = await inProcessBaselines(wanted, { seconds: BASE_S, clipBatch: CLIP_BATCH });

log('starting the cluster', JSON.stringify(clusterEnv));
const cluster = await startCluster({ ...clusterEnv, ...profileEnv });
result.cluster = { actors: Object.fromEntries(Object.entries(cluster.health.actors).map(([m, a]) => [m, a.length])), gateway_processes: cluster.pids.gateway.length };
let compare;
try {
  if (!opt['no-goal']) result.goal = await goal();
  if (!opt['no-sweep']) result.sweep = await sweep();
  if (!opt['no-clip-compare'] && opt.endpoints.includes('clip')) compare = await startCluster({ ...clusterEnv, LGBM_ACTORS: '0', CLIP_ACTORS: '1', CLIP_MAX_BATCH: '1', ACTOR_CONCURRENCY: String(CLIP_CONCURRENCY) });
  if (compare) result.clip_batching = await clipBatching();
} finally {
  await compare?.stop();
  await cluster.stop();
}

log('in-process baselines (after)');
const after = await inProcessBaselines(wanted, { seconds: BASE_S, clipBatch: CLIP_BATCH });
result.baselines = { before, after, mean: meanBaselines(before, after) };
if (result.sweep) {
  for (const row of result.sweep) row.ratio_to_in_process = round(row.rps / result.baselines.mean[row.set][row.endpoint], 2);
}
result.machine.load_average_at_end = loadavg().map((v) => round(v, 2));
result.duration_s = Math.round((Date.now() - started) / 1000);
const files = writeReport(result);
log('wrote', files.join(', '));

/**
 * The throughput goal and ../shared/checks/throughput: /predict_lgbm, 50 connections, image_139.jpg,
 * in rounds alternating with the baselines (bare decode+resize on both cores, and the lgbm work in
 * one process) so each ratio compares measurements taken minutes apart at most.
 */
async function goal() {
  const photo = sets.goal[0].bytes;
  const url = `${cluster.base}/predict_lgbm`;
  const bodies = multipartBodies(sets.goal);
  log('goal: warm-up');
  await runLoad({ url, bodies, connections: 50, seconds: 3 });
  const rounds = [];
  for (let r = 0; r < Number(opt.rounds); r++) {
    log(`goal round ${r + 1}: baselines`);
    const bare = await bareDecode(photo, BASE_S);
    const inProcess = await lgbmInProcess([photo], BASE_S);
    log(`goal round ${r + 1}: autocannon c=50`);
    const cpu0 = snap(cluster);
    const t0 = Date.now();
    const ac = await runLoad({ url, bodies, connections: 50, seconds: Number(opt['goal-seconds']) });
    const cpu = cpuPerRequest(cpu0, snap(cluster), ac.ok);
    const split = await jobSplit(cluster.redisUrl, 'lgbm', t0, Date.now());
    log(`goal round ${r + 1}: fetch client c=50 (the check's)`);
    const fcpu0 = snap(cluster);
    const fetchRun = await runFetchLoad({ url, photo, connections: 50, seconds: Number(opt['goal-seconds']) });
    fetchRun.cpu_ms_per_request = cpuPerRequest(fcpu0, snap(cluster), fetchRun.ok);
    rounds.push({
      load_average: load1(),
      bare_decode_img_per_s: bare,
      lgbm_in_process_img_per_s: inProcess,
      autocannon: { ...ac, ratio_to_in_process: round(ac.rps / inProcess, 2), ratio_to_bare_decode: round(ac.rps / bare, 2), p99_over_p50: round(ac.p99_ms / ac.p50_ms, 2) },
      check_client: { ...fetchRun, ratio_to_bare_decode: round(fetchRun.rps / bare, 2), p99_over_p50: round(fetchRun.p99_ms / fetchRun.p50_ms, 2) },
      server_split: split,
      cpu_ms_per_request: cpu,
    });
  }
  return { endpoint: '/predict_lgbm', connections: 50, photo: 'cataract/image_139.jpg', rounds };
}

/** Each endpoint x photo set x concurrency: a warm-up at that concurrency, then the measured run. */
async function sweep() {
  const rows = [];
  for (const endpoint of opt.endpoints.split(',')) {
    for (const [set, photos] of Object.entries(wanted)) {
      const bodies = multipartBodies(photos);
      for (const c of opt.concurrency.split(',').map(Number)) {
        const url = `${cluster.base}/predict_${endpoint}`;
        log(`sweep ${endpoint} ${set} c=${c}`);
        await runLoad({ url, bodies, connections: c, seconds: WARMUP });
        const m0 = await scrapeMetrics(cluster.base);
        const cpu0 = snap(cluster);
        const t0 = Date.now();
        const r = await runLoad({ url, bodies, connections: c, seconds: SECONDS });
        const t1 = Date.now();
        const cpu = cpuPerRequest(cpu0, snap(cluster), r.ok);
        const models = endpoint === 'ensemble' ? ['lgbm', 'clip'] : [endpoint];
        const split = Object.fromEntries(await Promise.all(models.map(async (m) => [m, await jobSplit(cluster.redisUrl, m, t0, t1)])));
        rows.push({ endpoint, set, ...r, load_average: load1(), server_split: split, metrics: metricsDelta(m0, await scrapeMetrics(cluster.base)), cpu_ms_per_request: cpu });
      }
    }
  }
  return rows;
}

/**
 * /predict_clip with micro-batching (the main cluster) against a second cluster whose clip actor
 * runs CLIP_MAX_BATCH=1 with the same job concurrency, alternating rounds, same photos.
 */
async function clipBatching() {
  const bodies = multipartBodies(sets.jpeg);
  const rounds = [];
  for (let r = 0; r < Number(opt.rounds); r++) {
    const row = { load_average: load1() };
    for (const [name, c] of [['batched', cluster], ['batch1', compare]]) {
      const url = `${c.base}/predict_clip`;
      log(`clip batching round ${r + 1}: ${name}`);
      await runLoad({ url, bodies, connections: 32, seconds: WARMUP });
      const t0 = Date.now();
      const res = await runLoad({ url, bodies, connections: 32, seconds: SECONDS });
      row[name] = { ...res, server_split: await jobSplit(c.redisUrl, 'clip', t0, Date.now()) };
    }
    row.ratio = round(row.batched.rps / row.batch1.rps, 2);
    rounds.push(row);
  }
  return { endpoint: '/predict_clip', connections: 32, photos: 'jpeg', max_batch: actorClip.batching.maxBatch, max_wait_ms: actorClip.batching.maxWaitMs, actor_concurrency: CLIP_CONCURRENCY, rounds };
}

function profilingEnv(dir) {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  const entry = join(ROOT, 'bench/load/lib/profiled-entry.cjs');
  return {
    SUPERVISOR_GATEWAY_ENTRY: entry,
    SUPERVISOR_ACTOR_ENTRY: entry,
    BENCH_PROFILE_ENTRY_GATEWAY: join(ROOT, 'apps/gateway/dist/main.js'),
    BENCH_PROFILE_ENTRY_ACTOR: join(ROOT, 'apps/actor/dist/main.js'),
    BENCH_PROFILE_DIR: abs,
  };
}

/** CPU seconds so far of each cluster role and of this process (the load client). */
function snap(c) {
  const u = process.cpuUsage();
  return { ...c.cpu(), bench_client: (u.user + u.system) / 1e6 };
}

