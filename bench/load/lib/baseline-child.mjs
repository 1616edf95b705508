/**
 * In-process baselines, each in a fresh Node process (forked by baseline.mjs, photos sent over
 * IPC): the same work as a request minus HTTP, Redis and the queue.
 *   lgbm:        imaging's extractLgbmFeatures + the LightGBM walker, `concurrency` images in flight
 *   clip:        imageToTensor + an onnxruntime session (same options as the actor), batch 1 and batched
 *   bare-decode: sharp decode + resize to 224 px, one process per core, sharp.concurrency(1) (the
 *                floor used by ../shared/checks/throughput)
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, requireFromRoot } from './root.mjs';

process.env.ORT_DISABLE_TELEMETRY ??= '1';
const MODELS = join(ROOT, 'models');
/** The folder of a type's default version (models/<type>/<version>/, named by models/<type>/default). */
const { defaultVersionDir } = requireFromRoot('@cataract/model-store');

async function closedLoop(seconds, concurrency, once) {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  let i = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const done = await once(i++); // not `n += await ...`: that reads n before awaiting and loses concurrent counts
        n += done;
      }
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

async function lgbm({ photos, seconds, concurrency }) {
  const { extractLgbmFeatures } = requireFromRoot('@cataract/imaging');
  const { loadModel } = requireFromRoot('lightgbm-ts-predictor');
  const manifest = JSON.parse(readFileSync(join(defaultVersionDir(MODELS, 'lgbm'), 'manifest.json'), 'utf8'));
  const model = loadModel(readFileSync(join(defaultVersionDir(MODELS, 'lgbm'), manifest.file), 'utf8'));
  const once = async (i) => {
    model.predict(await extractLgbmFeatures(photos[i % photos.length]));
    return 1;
  };
  await closedLoop(Math.min(2, seconds), concurrency, once); // warm-up
  return { img_per_s: await closedLoop(seconds, concurrency, once), concurrency };
}

async function clip({ photos, seconds, batch }) {
  const { imageToTensor, tensorSize } = requireFromRoot('@cataract/imaging');
  const ort = requireFromRoot('onnxruntime-node');
  const manifest = JSON.parse(readFileSync(join(defaultVersionDir(MODELS, 'clip'), 'manifest.json'), 'utf8'));
  const spec = manifest.input;
  const per = tensorSize(spec);
  const dims = spec.layout === 'NHWC' ? [spec.height, spec.width, 3] : [3, spec.height, spec.width];
  const session = await ort.InferenceSession.create(readFileSync(join(defaultVersionDir(MODELS, 'clip'), manifest.file)), {
    intraOpNumThreads: Number(process.env.ORT_INTRA_OP_THREADS ?? 1),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const buf = new Float32Array(batch * per);
  const once = async (i) => {
    // decode the batch's images concurrently (sharp's pool), then ONE inference for them
    await Promise.all(Array.from({ length: batch }, (_, k) => imageToTensor(photos[(i * batch + k) % photos.length], spec, buf, k * per)));
    await session.run({ [spec.name]: new ort.Tensor('float32', buf, [batch, ...dims]) });
    return batch;
  };
  await closedLoop(Math.min(2, seconds), 1, once);
  const rate = await closedLoop(seconds, 1, once);
  // inference alone, per image, on the last tensors
  const feed = { [spec.name]: new ort.Tensor('float32', buf, [batch, ...dims]) };
  const t0 = performance.now();
  let runs = 0;
  while (performance.now() - t0 < 2000) {
    await session.run(feed);
    runs++;
  }
  await session.release();
  return { img_per_s: rate, batch, inference_ms_per_image: (performance.now() - t0) / runs / batch };
}

async function bareDecodeOne({ photo, seconds }) {
  const sharp = requireFromRoot('sharp');
  sharp.concurrency(1);
  const end = Date.now() + seconds * 1000;
  let n = 0;
  while (Date.now() < end) {
    await sharp(photo).resize(224, 224).raw().toBuffer();
    n++;
  }
  return { n };
}

async function bareDecode({ photo, seconds, processes = 2 }) {
  const counts = await Promise.all(Array.from({ length: processes }, () => runChild('bare-decode-one', { photo, seconds })));
  return { img_per_s: counts.reduce((s, c) => s + c.n, 0) / seconds, processes };
}

/** Fork this file in `mode` and resolve with its result (used by baseline.mjs and by bare-decode). */
export function runChild(mode, args) {
  return new Promise((resolve, reject) => {
    const child = fork(new URL(import.meta.url).pathname, ['--child'], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => (m.ok ? resolve(m.result) : reject(new Error(m.error))));
    child.once('exit', (code) => code !== 0 && reject(new Error(`baseline ${mode} exited with ${code}`)));
    child.send({ mode, args });
  });
}

const MODES = { lgbm, clip, 'bare-decode': bareDecode, 'bare-decode-one': bareDecodeOne };

if (process.argv.includes('--child')) {
  process.once('message', async ({ mode, args }) => {
    try {
      process.send({ ok: true, result: await MODES[mode](args) }, () => process.exit(0));
    } catch (err) {
      process.send({ ok: false, error: err.stack ?? String(err) }, () => process.exit(1));
    }
  });
}
