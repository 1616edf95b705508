#!/usr/bin/env node
/**
 * node bench/load/warmup.mjs [--env KEY=VALUE ...] [--windows 6 --seconds 6 --connections 50 --set goal] [--client fetch]
 *
 * How a just-started cluster warms up: starts it as `npm start` does (with `--env` on top), then
 * runs back-to-back windows of /predict_lgbm load (autocannon, keep-alive) and prints, per window,
 * req/s and the CPU per request of the gateway (all workers) and of the lgbm actors. The shared
 * throughput check measures seconds 3-18 after start, so a slow warm-up is part of its figure.
 * `--client fetch` loads with the shared check's own client instead (fetch + FormData of the goal
 * photo, lib/fetch-load.mjs), which costs more CPU per request on the client side.
 * Run it once per configuration (e.g. `--env V8_INTERRUPT_BUDGET=0` against the default) and compare
 * the windows; writes bench/results/warmup-<date>.json.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { round } from './lib/baseline.mjs';
import { envFromPairs, startCluster, stopAllClusters } from './lib/cluster.mjs';
import { readFileSync } from 'node:fs';
import { runFetchLoad } from './lib/fetch-load.mjs';
import { multipartBodies, runLoad } from './lib/load.mjs';
import { GOAL_PHOTO, photoSets } from './lib/photos.mjs';
import { cpuPerRequest } from './lib/processes.mjs';
import { stamp, writeResultFile } from './lib/report.mjs';

const { values: opt } = parseArgs({
  options: {
    env: { type: 'string', multiple: true, default: [] },
    windows: { type: 'string', default: '6' },
    seconds: { type: 'string', default: '6' },
    connections: { type: 'string', default: '50' },
    set: { type: 'string', default: 'goal' },
    client: { type: 'string', default: 'autocannon' },
  },
});
const env = envFromPairs(opt.env);
const log = (...a) => process.stderr.write(`[bench:warmup] ${a.join(' ')}\n`);
process.once('SIGINT', () => void stopAllClusters().finally(() => process.exit(130)));

if (!['autocannon', 'fetch'].includes(opt.client)) throw new Error(`--client autocannon|fetch (got ${opt.client})`);
const bodies = multipartBodies((await photoSets())[opt.set]);
const goalPhoto = opt.client === 'fetch' ? readFileSync(GOAL_PHOTO) : undefined;
/** runFetchLoad's result in runLoad's field names. */
const fetched = (r) => ({ ok: r.ok, rps: r.rps, p50_ms: r.p50_ms, p99_ms: r.p99_ms, non_200: r.failed });
const windows = [];
try {
  const c = await startCluster(env);
  const url = `${c.base}/predict_lgbm`;
  for (let w = 1; w <= Number(opt.windows); w++) {
    const before = c.cpu();
    const load = { url, connections: Number(opt.connections), seconds: Number(opt.seconds) };
    const r = opt.client === 'fetch' ? fetched(await runFetchLoad({ ...load, photo: goalPhoto })) : await runLoad({ ...load, bodies });
    const after = c.cpu();
    const { gateway, lgbm_actor, redis } = cpuPerRequest(before, after, Math.max(1, r.ok));
    const row = { window: w, rps: r.rps, p50_ms: r.p50_ms, p99_ms: r.p99_ms, non_200: r.non_200, cpu_ms_per_request: { gateway, lgbm_actor, redis }, load_average: round(loadavg()[0], 2) };
    windows.push(row);
    log(`window ${w}: ${row.rps} req/s, CPU ms/request ${JSON.stringify(row.cpu_ms_per_request)}, load ${row.load_average}`);
  }
} finally {
  await stopAllClusters();
}
const date = new Date().toISOString();
const file = writeResultFile(`warmup-${stamp(date)}`, { command: `node bench/load/warmup.mjs ${process.argv.slice(2).join(' ')}`, date, env, windows });
log('wrote', file);
