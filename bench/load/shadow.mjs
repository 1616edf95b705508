#!/usr/bin/env node
/**
 * node bench/load/shadow.mjs [--rounds 4 --seconds 8 --connections 50 --set goal]
 *
 * What a shadow version costs the answered path: one cluster as `npm start` runs it, on a private
 * MODELS_DIR holding the default lgbm version and a copy of it published as `<default>-shadow`.
 * Rounds alternate shadow off / on (off on, on off, ...; `npm run models -- shadow lgbm ...`
 * between them) under the main load benchmark's closed loop of 50 connections on /predict_lgbm.
 * Prints each round and the median on/off ratios of req/s and of p50 / p99 latency; writes
 * bench/results/shadow-<date>.json with the shadow's comparison counters.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCluster, stopAllClusters } from './lib/cluster.mjs';
import { multipartBodies, runLoad } from './lib/load.mjs';
import { photoSets } from './lib/photos.mjs';
import { stamp, writeResultFile } from './lib/report.mjs';
import { ROOT, requireFromRoot } from './lib/root.mjs';

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    set: { type: 'string', default: 'goal' },
  },
});
const log = (...a) => process.stderr.write(`[bench:shadow] ${a.join(' ')}\n`);
process.once('SIGINT', () => void stopAllClusters().finally(() => process.exit(130)));

const { defaultVersion } = requireFromRoot('@cataract/model-store');
const modelsDir = mkdtempSync(join(tmpdir(), 'bench-shadow-models-'));
const def = defaultVersion(join(ROOT, 'models'), 'lgbm');
cpSync(join(ROOT, 'models', 'lgbm'), join(modelsDir, 'lgbm'), { recursive: true });
const shadowVersion = `${def}-shadow`;
cpSync(join(modelsDir, 'lgbm', def), join(modelsDir, 'lgbm', shadowVersion), { recursive: true });
const mf = join(modelsDir, 'lgbm', shadowVersion, 'manifest.json');
writeFileSync(mf, JSON.stringify({ ...JSON.parse(readFileSync(mf, 'utf8')), version: shadowVersion }, null, 2));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sets = await photoSets();
const bodies = multipartBodies(sets[opt.set]);
let cluster;
try {
  cluster = await startCluster({ MODELS_DIR: modelsDir, CLIP_ACTORS: '0' });
  const models = (...args) =>
    execFileSync(process.execPath, [join(ROOT, 'tools/dist/models.js'), ...args], { env: { ...process.env, REDIS_URL: cluster.redisUrl, MODELS_DIR: modelsDir }, encoding: 'utf8' });
  const url = `${cluster.base}/predict_lgbm`;
  const connections = Number(opt.connections);
  await runLoad({ url, bodies, connections, seconds: 4 }); // warm the whole path once
  const rounds = [];
  for (let i = 0; i < Number(opt.rounds); i++) {
    const order = i % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    const round = { load: loadavg()[0] };
    for (const mode of order) {
      models('shadow', 'lgbm', mode === 'on' ? shadowVersion : 'off');
      await runLoad({ url, bodies, connections, seconds: 2 });
      round[mode] = await runLoad({ url, bodies, connections, seconds: Number(opt.seconds) });
    }
    round.rps_ratio = +(round.on.rps / round.off.rps).toFixed(3);
    round.p50_ratio = +(round.on.p50_ms / round.off.p50_ms).toFixed(3);
    round.p99_ratio = +(round.on.p99_ms / round.off.p99_ms).toFixed(3);
    log(`round ${i + 1}: off ${round.off.rps} req/s p50 ${round.off.p50_ms} ms p99 ${round.off.p99_ms} ms | on ${round.on.rps} req/s p50 ${round.on.p50_ms} ms p99 ${round.on.p99_ms} ms | on/off rps ${round.rps_ratio} p50 ${round.p50_ratio} p99 ${round.p99_ratio}`);
    rounds.push(round);
  }
  models('shadow', 'lgbm', shadowVersion);
  await runLoad({ url, bodies, connections, seconds: 4 });
  const listing = JSON.parse(models('list', '--json')).find((t) => t.type === 'lgbm');
  const date = new Date().toISOString();
  const result = {
    date,
    command: `node bench/load/shadow.mjs --rounds ${opt.rounds} --seconds ${opt.seconds} --connections ${opt.connections} --set ${opt.set}`,
    setup: { actors: cluster.health.actors.lgbm.length, serving: def, shadow: shadowVersion, photos: opt.set },
    rounds,
    median: { rps_ratio: median(rounds.map((r) => r.rps_ratio)), p50_ratio: median(rounds.map((r) => r.p50_ratio)), p99_ratio: median(rounds.map((r) => r.p99_ratio)) },
    shadow_counters_last_4s: listing.shadow,
  };
  const file = writeResultFile(`shadow-${stamp(date)}`, result);
  log(`median on/off: req/s ${result.median.rps_ratio}, p50 ${result.median.p50_ratio}, p99 ${result.median.p99_ratio}; shadow compared ${listing.shadow?.compared}, skipped ${listing.shadow?.skipped}; ${file.slice(ROOT.length + 1)}`);
} finally {
  await cluster?.stop();
  rmSync(modelsDir, { recursive: true, force: true });
}
