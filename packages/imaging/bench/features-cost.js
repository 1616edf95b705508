// @ts-check
/**
 * CPU cost of the lgbm feature extractor, per call.
 *  - featuresFromWorkingImage: the pure JS part, on working images decoded once up front.
 *  - extractLgbmFeatures: decode + resize (libvips) + features, one photo at a time.
 * CPU time comes from process.cpuUsage (user + system, all threads, so libvips work counts too),
 * measured after a warm-up so the JIT has settled. Wall time is printed alongside for reference.
 * Uses the training photos in ../shared/data/cataract/train when present, else synthetic eyes.
 * Run: `npx tsc -b packages/imaging && node packages/imaging/bench/features-cost.js`
 * Env: FEATURES_BENCH_PHOTOS (images, default 200), FEATURES_BENCH_ROUNDS (passes, default 10).
 *
 * `--no-decode-cache` calls disableDecodeCache() first, as the actors do; run with and without it
 * in turn to see what libvips' operation cache costs.
 *
 * `--baseline DIST` (another build's packages/imaging/dist, e.g. of an older commit checked out with
 * `git worktree add`, `npm ci`, `npx tsc -b packages/imaging`): also times that build's
 * featuresFromWorkingImage on the same images, in alternating blocks within this one process, so
 * machine-speed drift hits both alike; prints min and median ms per call of each and their ratio,
 * and counts the output values that differ between the two builds.
 */
const { existsSync, readFileSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const sharp = require('sharp');
const imaging = require('../dist');

const ROOT = join(__dirname, '../../../../shared/data/cataract/train');
const PHOTOS = Number(process.env.FEATURES_BENCH_PHOTOS ?? 200);
const ROUNDS = Number(process.env.FEATURES_BENCH_ROUNDS ?? 10);
const SIZE = imaging.WORKING_SIZE;

/** Up to `n` photo buffers, alternating classes so both kinds of eye are in the mix. */
function realPhotos(n) {
  const lists = ['cataract', 'normal'].map((cls) =>
    readdirSync(join(ROOT, cls))
      .filter((f) => f.endsWith('.jpg'))
      .sort()
      .map((f) => join(ROOT, cls, f)),
  );
  /** @type {Buffer[]} */ const out = [];
  for (let k = 0; out.length < n && k < Math.max(...lists.map((l) => l.length)); k++) {
    for (const list of lists) if (k < list.length && out.length < n) out.push(readFileSync(list[k]));
  }
  return out;
}

/** `n` 256 px synthetic eyes (varied position, size, colours, plus noise) as JPEGs. */
async function syntheticPhotos(n) {
  const size = 256;
  /** @type {Buffer[]} */ const out = [];
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let k = 0; k < n; k++) {
    const cx = size * (0.3 + 0.4 * rand());
    const cy = size * (0.3 + 0.4 * rand());
    const radius = size * (0.15 + 0.25 * rand());
    const pupil = rand() < 0.5 ? [12, 10, 10] : [185, 190, 195];
    const data = Buffer.alloc(size * size * 3);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) / radius;
        const c = d < 0.4 ? pupil : d < 1 ? [120, 80, 50] : [235, 228, 222];
        const noise = Math.round((rand() - 0.5) * 16);
        data.set(c.map((v) => Math.max(0, Math.min(255, v + noise))), (y * size + x) * 3);
      }
    }
    out.push(await sharp(data, { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
  }
  return out;
}

/**
 * Runs `fn` over every item `rounds` times after one warm-up pass; returns CPU and wall ms per call.
 * @template T @param {T[]} items @param {(item: T) => unknown} fn @param {number} rounds
 */
async function perCall(items, fn, rounds) {
  for (const item of items) await fn(item);
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  for (let round = 0; round < rounds; round++) for (const item of items) await fn(item);
  const wallMs = Number(process.hrtime.bigint() - wall0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const calls = items.length * rounds;
  return {
    calls,
    cpuMsPerCall: +((cpu.user + cpu.system) / 1000 / calls).toFixed(3),
    wallMsPerCall: +(wallMs / calls).toFixed(3),
  };
}

/** CPU ms per call of one pass of `fn` over `items`. @template T @param {T[]} items @param {(item: T) => unknown} fn */
function blockMs(items, fn) {
  const cpu0 = process.cpuUsage();
  for (const item of items) fn(item);
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000 / items.length;
}

/** Interleaved A/B of the JS part against another build; see the header. */
function compareWith(/** @type {string} */ dist, /** @type {Uint8Array[]} */ working) {
  const other = require(require('node:path').resolve(dist));
  let differing = 0;
  for (const rgb of working) {
    const a = other.featuresFromWorkingImage(rgb);
    const b = imaging.featuresFromWorkingImage(rgb);
    for (let k = 0; k < Math.max(a.length, b.length); k++) if (!Object.is(a[k], b[k])) differing++;
  }
  const fns = { baseline: other.featuresFromWorkingImage, current: imaging.featuresFromWorkingImage };
  /** @type {Record<string, number[]>} */ const ms = { baseline: [], current: [] };
  for (let i = 0; i < 3; i++) for (const f of Object.values(fns)) blockMs(working, f); // warm-up
  for (let i = 0; i < ROUNDS; i++) for (const [name, f] of Object.entries(fns)) ms[name].push(blockMs(working, f));
  const stats = (/** @type {number[]} */ a) => {
    const s = [...a].sort((x, y) => x - y);
    return { minMs: +s[0].toFixed(3), medianMs: +s[s.length >> 1].toFixed(3) };
  };
  const b = stats(ms.baseline);
  const c = stats(ms.current);
  console.log(JSON.stringify({ name: 'featuresFromWorkingImage, interleaved', baseline: b, current: c, ratioOfMins: +(b.minMs / c.minMs).toFixed(2), differingValues: differing }));
}

async function main() {
  if (process.argv.includes('--no-decode-cache')) imaging.disableDecodeCache();
  const real = existsSync(ROOT);
  const photos = real ? realPhotos(PHOTOS) : await syntheticPhotos(PHOTOS);
  const working = await Promise.all(photos.map((buf) => imaging.decodeWorkingImage(buf)));
  console.log(
    JSON.stringify({
      input: real ? `${photos.length} training photos` : `${photos.length} synthetic eyes`,
      rounds: ROUNDS,
      node: process.version,
      featureSet: `${imaging.LGBM_FEATURE_SET.name} v${imaging.LGBM_FEATURE_SET.version}`,
      decodeCache: !process.argv.includes('--no-decode-cache'),
    }),
  );
  // Keep a result alive so the calls cannot be optimised away.
  let sink = 0;
  const features = await perCall(working, (rgb) => (sink += imaging.featuresFromWorkingImage(rgb)[0]), ROUNDS);
  console.log(JSON.stringify({ name: 'featuresFromWorkingImage', ...features }));
  // Decoding dominates this one; fewer rounds keep the run short.
  const extract = await perCall(photos, (buf) => imaging.extractLgbmFeatures(buf), Math.max(1, Math.ceil(ROUNDS / 5)));
  console.log(JSON.stringify({ name: 'extractLgbmFeatures (decode included)', ...extract }));
  if (!Number.isFinite(sink)) console.log('(non-finite feature)');
  const at = process.argv.indexOf('--baseline');
  if (at > 0) compareWith(process.argv[at + 1], working);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
