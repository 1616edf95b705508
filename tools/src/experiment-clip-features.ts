/**
 * npm run experiment:clip -- [--backbone inception_v3 [--size 224]] --layers flatten_1[,block_12_add,...] [--flip] [--cache-dir DIR]
 * Compares clip embeddings (which nsfwjs backbone, at which input size, which layers are mean-pooled, with or without flip
 * test-time augmentation) under the project's repeated grouped cross-validation: a logistic head
 * over an L2 grid on the photos as they are (no augmented copies, so each variant costs only 2 x 476
 * backbone runs), scored out of fold plain and re-encoded at 256 px. For choosing what train:clip
 * uses; results are recorded in docs/experiments/.
 */
import path from 'node:path';
import { UsageError, VectorCache, defaultDataDir, parseCli, runCli, sha256Buffer } from './common';
import { CV_CLI, cvOptions } from './cv/options';
import { planPhotoFolds } from './cv/photo-folds';
import { cvFigures, fmtNum, fmtPct } from './cv/summary';
import { BACKBONES, EMBEDDING_OUTPUT, backboneInput, isBackboneName } from './clip/backbone';
import type { Matrix } from './clip/logistic-regression';
import { crossValidateHead } from './clip/model-selection';
import { OnnxImageRunner } from './clip/onnx-image-runner';
import { embedJobs, type EmbedJob } from './clip/photo-embeddings';
import { buildPooledBackbone } from './clip/pooled-backbone';
import { planPhotometric } from './clip/photometric';

const CLI = {
  data: { type: 'string', description: 'training photos: DIR/{cataract,normal}/*', default: path.relative(process.cwd(), defaultDataDir) || '.' },
  backbone: { type: 'string', description: `nsfwjs backbone: ${Object.keys(BACKBONES).join(' | ')}`, default: 'mobilenet_v2' },
  size: { type: 'string', description: "square input size (default the backbone's own: 224 MobileNetV2, 299 InceptionV3)" },
  layers: { type: 'string', description: "comma-separated backbone layers to mean-pool and concatenate (default the backbone's recipe)" },
  'head-layers': { type: 'string', description: 'fit the head on these of --layers only (embeddings and their cache stay those of --layers)' },
  flip: { type: 'boolean', description: 'average the embedding of the photo and its mirror image', default: false },
  photometric: { type: 'string', description: 'photometric training copies per photo (rotation, flip, blur, brightness/contrast, rescale, JPEG)', default: '0' },
  l2: { type: 'string', description: 'L2 grid', default: '0.3,0.1,0.03,0.01' },
  ...CV_CLI,
  'cache-dir': { type: 'string', description: 'embedding cache directory' },
} as const;

async function main(): Promise<void> {
  const o = parseCli('npm run experiment:clip --', CLI);
  if (!o) return;
  const started = Date.now();
  if (!isBackboneName(o.backbone)) throw new UsageError(`--backbone must be one of ${Object.keys(BACKBONES).join(', ')}`);
  const def = BACKBONES[o.backbone];
  const size = o.size === undefined ? def.size : Number(o.size);
  if (!Number.isInteger(size) || size < 75) throw new UsageError('--size must be an integer >= 75');
  const spec = backboneInput(size);
  const layers = (o.layers ?? def.layers.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  if (!layers.length) throw new UsageError('--layers needs at least one layer');
  const grid = o.l2.split(',').map(Number);
  const pf = await planPhotoFolds(path.resolve(o.data), cvOptions(o));
  const { bytes, width, widths } = buildPooledBackbone(layers, { flip: o.flip, model: def.model, size });
  const runner = await OnnxImageRunner.create(bytes, { spec, outputName: EMBEDDING_OUTPUT, threads: 2, batchSize: 8 });
  const copies = planPhotometric(pf.images, Number(o.photometric), 44).map(({ item, photometric }) => ({ item, variant: { photometric } }));
  const jobs: EmbedJob[] = [...pf.images.map((item) => ({ item, variant: {} })), ...pf.images.map((item) => ({ item, variant: { longSide: 256, quality: 85 } })), ...copies];
  const emb = await embedJobs(runner, jobs, { dim: width, cache: new VectorCache(o['cache-dir'] ? path.resolve(o['cache-dir']) : undefined), backboneSha: sha256Buffer(Buffer.from(bytes)) });
  await runner.release();
  // Column ranges of the layers the head sees (all of them unless --head-layers picks some).
  const headLayers = o['head-layers'] ? o['head-layers'].split(',').map((s) => s.trim()).filter(Boolean) : layers;
  const offsets = widths.map((_, i) => widths.slice(0, i).reduce((a, b) => a + b, 0));
  const ranges = headLayers.map((l) => {
    const k = layers.indexOf(l);
    if (k < 0) throw new UsageError(`--head-layers: ${l} is not one of --layers`);
    return [offsets[k], offsets[k] + widths[k]] as const;
  });
  const cols = ranges.reduce((a, [s, e]) => a + e - s, 0);
  const x: Matrix = { data: new Float32Array(jobs.length * cols), rows: jobs.length, cols };
  emb.forEach((e, i) => {
    let at = i * cols;
    for (const [s, end] of ranges) (x.data.set(e.subarray(s, end), at), (at += end - s));
  });
  const n = pf.images.length;
  const photoOf = new Map(pf.images.map((im, i) => [im.path, i]));
  const photo = Int32Array.from(jobs, (j) => photoOf.get(j.item.path)!);
  const labels = Int32Array.from(photo, (p) => pf.labels[p]);
  const cv = crossValidateHead(
    { x, labels, photo, originalRow: Int32Array.from({ length: n }, (_, i) => i), reencodedRow: Int32Array.from({ length: n }, (_, i) => n + i), fitRows: jobs.flatMap((_, i) => (i < n || i >= 2 * n ? [i] : [])) },
    pf.labels,
    pf.plan,
    grid,
    (s) => console.log(`  l2=${s.l2}: log-loss ${s.logLoss.toFixed(4)} accuracy ${(s.accuracy * 100).toFixed(2)} %`),
  );
  const plain = cvFigures(pf.plan, pf.labels, cv.raw, 0.5);
  const re = cvFigures(pf.plan, pf.labels, cv.rawReencoded, 0.5);
  console.log(`${o.backbone} ${size} px, layers ${headLayers.join('+')} (${cols}-d)${o.flip ? ' + flip TTA' : ''}${copies.length ? ` + ${o.photometric} photometric copies` : ''}, l2=${cv.best.l2}: accuracy ${fmtPct(plain.per_repeat.accuracy)} AUC ${fmtNum(plain.per_repeat.auc)} log-loss ${fmtNum(plain.per_repeat.log_loss)} | 256 px: accuracy ${fmtPct(re.per_repeat.accuracy)} AUC ${fmtNum(re.per_repeat.auc)} | ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

runCli(main);
