// @ts-check
/**
 * Imaging throughput on one 512 px JPEG, one image at a time (as an actor processes jobs).
 * Runs the compiled package: `npx tsc -b packages/imaging && npm run bench -w @cataract/imaging`.
 * Uses ../shared/data/cataract/train/cataract/image_139.jpg when present, else a synthetic eye.
 */
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const os = require('node:os');
const sharp = require('sharp');
const imaging = require('../dist');

const REAL = join(__dirname, '../../../../shared/data/cataract/train/cataract/image_139.jpg');
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);

/** A 512 px synthetic eye (dark pupil, striped iris, sclera) when the real photo is absent. */
async function syntheticJpeg() {
  const size = 512;
  const data = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = (x + 0.5 - size / 2) / (size / 2);
      const dy = (y + 0.5 - size / 2) / (size / 2);
      const r = Math.hypot(dx, dy);
      const k = 0.8 + 0.2 * Math.sin(16 * Math.atan2(dy, dx));
      const c = r < 0.18 ? [12, 10, 10] : r < 0.42 ? [120 * k, 80 * k, 50 * k] : [235, 228, 222];
      data.set(c.map(Math.round), (y * size + x) * 3);
    }
  }
  return sharp(data, { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

/** @param {string} name @param {() => Promise<unknown> | unknown} fn */
async function measure(name, fn) {
  for (let i = 0; i < 20; i++) await fn();
  const times = new Float64Array(ITERATIONS);
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  const totalMs = Number(process.hrtime.bigint() - start) / 1e6;
  times.sort();
  const row = {
    name,
    perSecond: +(ITERATIONS / (totalMs / 1000)).toFixed(1),
    meanMs: +(totalMs / ITERATIONS).toFixed(2),
    p50Ms: +times[Math.floor(ITERATIONS * 0.5)].toFixed(2),
    p95Ms: +times[Math.floor(ITERATIONS * 0.95)].toFixed(2),
  };
  console.log(JSON.stringify(row));
  return row;
}

async function main() {
  const real = existsSync(REAL);
  const jpeg = real ? readFileSync(REAL) : await syntheticJpeg();
  const probe = await imaging.probeImage(jpeg);
  console.log(
    JSON.stringify({
      input: real ? 'shared image_139.jpg' : 'synthetic eye',
      ...probe,
      bytes: jpeg.length,
      iterations: ITERATIONS,
      node: process.version,
      cpus: os.cpus().length,
      sharpConcurrency: sharp.concurrency(),
      featureSet: `${imaging.LGBM_FEATURE_SET.name} v${imaging.LGBM_FEATURE_SET.version} (${imaging.LGBM_FEATURE_SET.names.length})`,
    }),
  );
  const working = await sharp(jpeg)
    .resize(imaging.WORKING_SIZE, imaging.WORKING_SIZE, { fit: 'cover' })
    .raw()
    .toBuffer();
  const spec = {
    layout: /** @type {const} */ ('NCHW'), width: 224, height: 224, channels: /** @type {const} */ (3),
    mean: /** @type {[number, number, number]} */ ([0.485, 0.456, 0.406]),
    std: /** @type {[number, number, number]} */ ([0.229, 0.224, 0.225]),
    resize: /** @type {const} */ ('cover'),
  };
  const out = new Float32Array(imaging.tensorSize(spec));
  await measure('probeImage', () => imaging.probeImage(jpeg));
  await measure('extractLgbmFeatures (decode + features)', () => imaging.extractLgbmFeatures(jpeg));
  await measure('featuresFromWorkingImage (JS part only)', () => imaging.featuresFromWorkingImage(working));
  await measure('imageToTensor 224x224 NCHW cover', () => imaging.imageToTensor(jpeg, spec, out, 0));
  await measure('decodeImage (full size RGB)', () => imaging.decodeImage(jpeg));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
