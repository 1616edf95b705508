#!/usr/bin/env node
/**
 * node bench/load/ab.mjs --a KEY=VALUE[,KEY=VALUE] --b KEY=VALUE[,...] [--rounds 4 --seconds 8
 *                        --connections 50 --endpoint lgbm --set goal --rate 0 --instant-actors]
 *
 * A/B of two cluster configurations on a busy machine: both clusters run side by side (the idle
 * one costs next to nothing) and are measured alternately (A B, B A, ...) under the same load as
 * the main benchmark, so background load shifts hit both alike. Prints each round and the median
 * B/A ratios of req/s and of CPU per request; writes bench/results/ab-<date>.json.
 *
 * --rate N caps the offered load at N req/s (autocannon's overallRate) instead of a closed loop, so
 * both sides are measured at the same request rate. --instant-actors runs the lgbm actors with a
 * runtime that answers at once (bench/load/lib/instant-lgbm-actor.cjs): what is left is the cost of
 * the gateway, Redis and the actors' queue handling, without the model's CPU drowning it.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { round } from './lib/baseline.mjs';
import { envFromPairs, startCluster, stopAllClusters } from './lib/cluster.mjs';
import { multipartBodies, runLoad } from './lib/load.mjs';
import { photoSets } from './lib/photos.mjs';
import { cpuPerRequest } from './lib/processes.mjs';
import { stamp, writeResultFile } from './lib/report.mjs';
import { ROOT } from './lib/root.mjs';

const { values: opt } = parseArgs({
  options: {
    a: { type: 'string', default: '' },
    b: { type: 'string', default: '' },
    rounds: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    endpoint: { type: 'string', default: 'lgbm' },
    set: { type: 'string', default: 'goal' },
    rate: { type: 'string', default: '0' },
    'instant-actors': { type: 'boolean', default: false },
  },
});
const parse = (s) => envFromPairs(s.split(',').filter(Boolean));
const instant = opt['instant-actors'] ? { SUPERVISOR_ACTOR_ENTRY: join(ROOT, 'bench/load/lib/instant-lgbm-actor.cjs') } : {};
const env = { A: { ...instant, ...parse(opt.a) }, B: { ...instant, ...parse(opt.b) } };
const rate = Number(opt.rate) || undefined;
const log = (...a) => process.stderr.write(`[bench:ab] ${a.join(' ')}\n`);
process.once('SIGINT', () => void stopAllClusters().finally(() => process.exit(130)));

const sets = await photoSets();
const bodies = multipartBodies(sets[opt.set]);
const clusters = {};
try {
  clusters.A = await startCluster(env.A);
  clusters.B = await startCluster(env.B);
  const measure = async (name) => {
    const c = clusters[name];
    const url = `${c.base}/predict_${opt.endpoint}`;
    await runLoad({ url, bodies, connections: Number(opt.connections), seconds: 2, rate });
    const before = c.cpu();
    const r = await runLoad({ url, bodies, connections: Number(opt.connections), seconds: Number(opt.seconds), rate });
    const after = c.cpu();
    const cpu = cpuPerRequest(before, after, Math.max(1, r.ok));
    const total = round(Object.values(cpu).reduce((s, v) => s + v, 0), 2);
    return { rps: r.rps, p50_ms: r.p50_ms, p99_ms: r.p99_ms, non_200: r.non_200, errors: r.errors, cpu_ms_per_request: { ...cpu, total }, load_average: round(loadavg()[0], 2) };
  };
  const rounds = [];
  for (let i = 0; i < Number(opt.rounds); i++) {
    const order = i % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
    const row = {};
    for (const name of order) {
      row[name] = await measure(name);
      log(`round ${i + 1} ${name}: ${row[name].rps} req/s, p50 ${row[name].p50_ms} ms, p99 ${row[name].p99_ms} ms, CPU ms/request ${JSON.stringify(row[name].cpu_ms_per_request)}, load ${row[name].load_average}`);
    }
    row.rps_b_over_a = round(row.B.rps / row.A.rps, 2);
    row.cpu_b_over_a = round(row.B.cpu_ms_per_request.total / row.A.cpu_ms_per_request.total, 2);
    rounds.push(row);
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const summary = { rps_b_over_a: median(rounds.map((r) => r.rps_b_over_a)), cpu_per_request_b_over_a: median(rounds.map((r) => r.cpu_b_over_a)) };
  log(`A=${JSON.stringify(env.A)} B=${JSON.stringify(env.B)}: median B/A req/s ${summary.rps_b_over_a}, CPU per request ${summary.cpu_per_request_b_over_a}`);
  const date = new Date().toISOString();
  const file = writeResultFile(`ab-${stamp(date)}`, { command: `node bench/load/ab.mjs ${process.argv.slice(2).join(' ')}`, date, env, rate: rate ?? null, endpoint: opt.endpoint, set: opt.set, connections: Number(opt.connections), rounds, summary });
  log('wrote', file);
} finally {
  await stopAllClusters();
}
