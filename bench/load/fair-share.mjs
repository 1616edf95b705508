#!/usr/bin/env node
/**
 * node bench/load/fair-share.mjs [--seconds 12 --flooders 16 --env KEY=VALUE ...]
 *
 * Fair sharing between clients (MAX_INFLIGHT_PER_CLIENT): the cluster as `npm start` runs it, two
 * client keys. Key B sends a normal photo (image_139.jpg, 58 KB, 512 px) to /predict_clip one at a
 * time: its p50 alone, then while key A floods a 6300x6300 PNG (39.7 MP, ~128 KB, decoded whole:
 * PNG has no shrink-on-load) to /predict_ensemble from `flooders` closed loops, the scenario of
 * ../shared/checks/access-control. Run twice in one invocation: with the in-flight cap at its
 * default, and with it off (MAX_INFLIGHT_PER_CLIENT=0), so each figure is a ratio to the unloaded
 * p50 measured in the same cluster. Writes bench/results/fair-share-<date>.json.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { envFromPairs, startCluster, stopAllClusters } from './lib/cluster.mjs';
import { GOAL_PHOTO, sharedPhotosAvailable } from './lib/photos.mjs';
import { stamp, writeResultFile } from './lib/report.mjs';
import { requireFromRoot } from './lib/root.mjs';

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '12' },
    flooders: { type: 'string', default: '16' },
    env: { type: 'string', multiple: true, default: [] },
  },
});
const SECONDS = Number(opt.seconds);
const FLOODERS = Number(opt.flooders);
const KEYS = { a: 'bench-fair-a', b: 'bench-fair-b', admin: 'bench-fair-admin' };

if (!sharedPhotosAvailable()) {
  console.error('../shared photos are absent: this benchmark needs image_139.jpg');
  process.exit(2);
}
const photo = readFileSync(GOAL_PHOTO);
const sharp = requireFromRoot('sharp');
const big = await sharp({ create: { width: 6300, height: 6300, channels: 3, background: { r: 120, g: 60, b: 40 } } }).png({ compressionLevel: 9 }).toBuffer();

const p = (sorted, q) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]) : null);

async function post(base, path, key, bytes, name) {
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  const t0 = performance.now();
  try {
    const r = await fetch(base + path, { method: 'POST', body: form, headers: { 'X-API-Key': key }, signal: AbortSignal.timeout(30_000) });
    await r.arrayBuffer();
    return { status: r.status, ms: performance.now() - t0 };
  } catch {
    return { status: 0, ms: performance.now() - t0 };
  }
}

/** Key B, one request at a time, for `seconds`: latencies of its 200s and its other statuses. */
async function normalClient(base, seconds) {
  const lat = [];
  const other = {};
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const r = await post(base, '/predict_clip', KEYS.b, photo, 'eye.jpg');
    if (r.status === 200) lat.push(r.ms);
    else other[r.status] = (other[r.status] ?? 0) + 1;
  }
  lat.sort((x, y) => x - y);
  return { n: lat.length, p50: p(lat, 0.5), p90: p(lat, 0.9), other };
}

async function flood(base, seconds) {
  const statuses = {};
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: FLOODERS }, async () => {
      while (Date.now() < end) {
        const r = await post(base, '/predict_ensemble', KEYS.a, big, 'big.png');
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

async function scenario(label, env) {
  const cluster = await startCluster({ API_KEYS: `${KEYS.a},${KEYS.b}`, ADMIN_KEYS: KEYS.admin, ...envFromPairs(opt.env), ...env });
  try {
    await normalClient(cluster.base, 2); // warm-up
    const unloaded = await normalClient(cluster.base, SECONDS / 2);
    const flooding = flood(cluster.base, SECONDS + 4);
    await new Promise((r) => setTimeout(r, 3000));
    const loaded = await normalClient(cluster.base, SECONDS);
    const floodStatuses = await flooding;
    const ratio = unloaded.p50 && loaded.p50 ? Number((loaded.p50 / unloaded.p50).toFixed(2)) : null;
    console.log(`${label}: other key's /predict_clip p50 ${unloaded.p50} ms alone, ${loaded.p50} ms during the flood (x${ratio}); flood answers ${JSON.stringify(floodStatuses)}`);
    return { label, env, unloaded, loaded, ratio, flood: floodStatuses };
  } finally {
    await cluster.stop();
  }
}

const date = new Date().toISOString();
const runs = [];
try {
  runs.push(await scenario('in-flight cap (default)', {}));
  runs.push(await scenario('no cap (MAX_INFLIGHT_PER_CLIENT=0)', { MAX_INFLIGHT_PER_CLIENT: '0' }));
} finally {
  await stopAllClusters();
}
const file = writeResultFile(`fair-share-${stamp(date)}`, {
  date,
  command: `node bench/load/fair-share.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  seconds: SECONDS,
  flooders: FLOODERS,
  big_png: { width: 6300, height: 6300, bytes: big.length },
  photo: { file: 'image_139.jpg', bytes: photo.length },
  runs,
});
console.log(`written ${file}`);
