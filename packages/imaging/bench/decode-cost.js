// @ts-check
/**
 * CPU cost per image of the lgbm actor's decode (decodeWorkingImage: decode + 'cover' resize to the
 * WORKING_SIZE square) beside two references on the same photo: the shared throughput check's own
 * reference (`sharp(buf).resize(224, 224).raw()`, ../shared/checks/lib/sharp-baseline.cjs) and a
 * plain full-size decode (`sharp(buf).raw()`). One image at a time, sharp.concurrency(1) as on the
 * check's reference, libvips' operation cache off as in the actors; the variants take turns in
 * blocks of ~1 s per round, so machine-speed drift hits all alike. CPU from process.cpuUsage (all
 * threads). Run: `npx tsc -b packages/imaging && node packages/imaging/bench/decode-cost.js [FILE]`
 * (default: the check's photo, ../shared/data/cataract/train/cataract/image_139.jpg).
 * Env: DECODE_BENCH_ROUNDS (default 5), DECODE_BENCH_MS (block length, default 1000).
 */
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const sharp = require('sharp');
const imaging = require('../dist');

const DEFAULT_PHOTO = join(__dirname, '../../../../shared/data/cataract/train/cataract/image_139.jpg');
const ROUNDS = Number(process.env.DECODE_BENCH_ROUNDS ?? 5);
const BLOCK_MS = Number(process.env.DECODE_BENCH_MS ?? 1000);

async function main() {
  const file = process.argv[2] ?? DEFAULT_PHOTO;
  if (!existsSync(file)) {
    console.error(`no photo at ${file}: pass one as the first argument (../shared is absent)`);
    process.exit(2);
  }
  const buf = readFileSync(file);
  sharp.concurrency(1);
  imaging.disableDecodeCache();
  /** @type {Record<string, () => Promise<unknown>>} */
  const variants = {
    'decodeWorkingImage (the actor)': () => imaging.decodeWorkingImage(buf),
    "check's reference (resize 224)": () => sharp(buf).resize(224, 224).raw().toBuffer(),
    'full-size decode': () => sharp(buf).raw().toBuffer(),
  };
  const meta = await sharp(buf).metadata();
  console.log(JSON.stringify({ file, bytes: buf.length, width: meta.width, height: meta.height, progressive: meta.isProgressive, rounds: ROUNDS }));
  /** @type {Record<string, number[]>} */
  const perRound = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let round = -1; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(variants)) {
      let n = 0;
      const cpu = process.cpuUsage();
      const end = Date.now() + (round < 0 ? 300 : BLOCK_MS); // round -1 warms up, uncounted
      while (Date.now() < end) {
        await run();
        n++;
      }
      const used = process.cpuUsage(cpu);
      if (round >= 0) perRound[name].push((used.user + used.system) / 1000 / n);
    }
  }
  const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ref = median(perRound["check's reference (resize 224)"]);
  for (const [name, xs] of Object.entries(perRound)) {
    console.log(JSON.stringify({ name, cpuMsPerImage: Number(median(xs).toFixed(3)), ofCheckReference: Number((median(xs) / ref).toFixed(3)) }));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
