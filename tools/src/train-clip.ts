/**
 * `npm run train:clip -- --data DIR`: trains the default clip model. Embeds every photo, its
 * resolution-augmented copies and its 256 px re-encoded copy with the converted nsfwjs MobileNetV2
 * backbone (imaging's imageToTensor, exactly as the actor does); chooses the logistic head's L2 by
 * repeated grouped cross-validation over all photos (tools/src/cv), whose out-of-fold predictions
 * also fit the Platt calibration the actor applies; fits the head on all photos, appends it to the
 * backbone as Gemm + Softmax and checks the written graph against the fitted head. With --reviewed,
 * the reviewed uploads of a CUSTOMER_DATA_DIR join the photos; the candidate version is staged,
 * scored against the serving version on the same folds and published with --publish when not
 * worse (tools/src/retrain/).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { OnnxManifestSchema } from '@cataract/contracts';
import { statsViewOfTensorSpec } from '@cataract/imaging';
import { UsageError, VectorCache, defaultDataDir, intOption, modelVersion, parseCli, runCli, repoRoot, sha256Buffer, writeFileAtomic, reproduceCommand } from './common';
import { CV_CLI, cvOptions } from './cv/options';
import { buildCvReport, cvLine, writeCvArtefacts } from './cv/report';
import { planAugmentation, type Variant } from './lgbm/augment';
import { BACKBONES, EMBEDDING_OUTPUT, backboneInput, isBackboneName } from './clip/backbone';
import { buildPooledBackbone } from './clip/pooled-backbone';
import { planPhotometric } from './clip/photometric';
import { appendSoftmaxHead } from './clip/export-model';
import { fitLogisticRegression, foldStandardizer, predictProba, type Matrix } from './clip/logistic-regression';
import { crossValidateHead } from './clip/model-selection';
import { OnnxImageRunner } from './clip/onnx-image-runner';
import { embedJobs, jobBytes, type EmbedJob } from './clip/photo-embeddings';
import { renderClipModelCard } from './clip/model-card';
import { CLIP_LABELS, CLIP_OUTPUT_NAME, CLIP_THRESHOLD, clipManifestHead } from './clip/manifest';
import { photosOf, retrainingCard } from './retrain/card';
import { compareOnFolds, comparisonLines, findServing, servingHeldOut, type Comparison, type LivePredictor } from './retrain/comparison';
import { writeReferenceStats } from './retrain/reference-stats';
import { release, RETRAIN_CLI, retrainOptions, stagingDir } from './retrain/release';
import { trainingPhotos } from './retrain/training-photos';

const REENCODE_256: Variant = { longSide: 256, quality: 85 };


const CLI = {
  data: { type: 'string', description: 'training photos: DIR/{cataract,normal}/*', default: path.relative(process.cwd(), defaultDataDir) || '.' },
  ...RETRAIN_CLI,
  backbone: { type: 'string', description: `nsfwjs backbone: ${Object.keys(BACKBONES).join(' | ')} (recipes chosen by npm run experiment:clip, docs/experiments/)`, default: 'mobilenet_v2' },
  size: { type: 'string', description: "square input size (default the backbone's recipe: 224 MobileNetV2, 160 InceptionV3)" },
  layers: { type: 'string', description: "backbone layers whose mean-pooled outputs form the embedding (default the backbone's recipe)" },
  flip: { type: 'boolean', description: 'average the embedding over the photo and its mirror image, inside the graph', default: false },
  photometric: { type: 'string', description: 'photometric training copies per photo (rotation, flip, blur, brightness/contrast, rescale, JPEG)', default: '2' },
  seed: { type: 'string', description: 'seed of the augmentation', default: '42' },
  ...CV_CLI,
  copies: { type: 'string', description: 'augmented copies per photo', default: '3' },
  'min-side': { type: 'string', description: 'smallest augmented long side (px)', default: '96' },
  'max-side': { type: 'string', description: 'largest augmented long side (px)', default: '448' },
  'min-quality': { type: 'string', description: 'lowest augmented JPEG quality', default: '60' },
  'max-quality': { type: 'string', description: 'highest augmented JPEG quality', default: '95' },
  l2: { type: 'string', description: 'comma-separated L2 grid searched by cross-validation', default: '0.3,0.1,0.03,0.01' },
  threads: { type: 'string', description: 'onnxruntime intra-op threads', default: '2' },
  'batch-size': { type: 'string', description: 'images per onnxruntime batch', default: '16' },
  'cache-dir': { type: 'string', description: 'optional embedding cache directory (speeds up re-runs)' },
} as const;


async function main(): Promise<void> {
  const o = parseCli('npm run train:clip --', CLI);
  if (!o) return;
  const started = Date.now();
  const seed = intOption('seed', o.seed, 42);
  const cv = cvOptions(o);
  const threads = intOption('threads', o.threads, 2);
  const batchSize = intOption('batch-size', o['batch-size'], 16);
  const grid = o.l2.split(',').map((v) => {
    const n = Number(v);
    if (!(n > 0)) throw new UsageError(`--l2 values must be positive numbers, got "${v}"`);
    return n;
  });
  const aug = {
    copies: intOption('copies', o.copies, 3),
    minLongSide: intOption('min-side', o['min-side'], 96),
    maxLongSide: intOption('max-side', o['max-side'], 448),
    minQuality: intOption('min-quality', o['min-quality'], 60),
    maxQuality: intOption('max-quality', o['max-quality'], 95),
    seed: seed + 2,
  };
  const dataDir = path.resolve(o.data);
  const opts = retrainOptions(o);
  // Checked before the long part: a serving version the store refuses stops the run now.
  const serving = await findServing(opts.modelsDir, 'clip', opts.against);
  const cache = new VectorCache(o['cache-dir'] ? path.resolve(o['cache-dir']) : undefined);

  // 1. Photos, near-duplicate groups, folds (the same plan train:lgbm uses).
  const { pf, reviewed } = await trainingPhotos(dataDir, cv, opts.reviewedDir, (m) => console.log(m));
  const { images, labels } = pf;
  console.log(`data: ${dataDir}: ${images.length} photos, ${pf.duplicates.groups} near-duplicate groups`);

  // 2. Embeddings: every photo, its augmented copies, its 256 px re-encoded copy.
  if (!isBackboneName(o.backbone)) throw new UsageError(`--backbone must be one of ${Object.keys(BACKBONES).join(', ')}`);
  const recipe = BACKBONES[o.backbone];
  const size = o.size === undefined ? recipe.size : intOption('size', o.size, recipe.size);
  if (size < 75) throw new UsageError('--size must be at least 75');
  const input = backboneInput(size);
  const layers = (o.layers ?? recipe.layers.join(',')).split(',').map((l) => l.trim()).filter(Boolean);
  if (!layers.length) throw new UsageError('--layers needs at least one layer');
  const { bytes: backbone, width: width } = buildPooledBackbone(layers, { flip: o.flip, model: recipe.model, size });
  const backboneSha = sha256Buffer(Buffer.from(backbone));
  const photometric = intOption('photometric', o.photometric, 2);
  const embedder = await OnnxImageRunner.create(backbone, { spec: input, outputName: EMBEDDING_OUTPUT, threads, batchSize });
  const trainJobs: EmbedJob[] = [
    ...planAugmentation(images, aug),
    ...planPhotometric(images, photometric, seed + 2).map(({ item, photometric: p }) => ({ item, variant: { photometric: p } })),
  ];
  const jobs: EmbedJob[] = [...trainJobs, ...images.map((item) => ({ item, variant: REENCODE_256 }))];
  let lastPrint = 0;
  const embeddings = await embedJobs(embedder, jobs, {
    dim: width,
    cache,
    backboneSha,
    onProgress: (done, total) => {
      if (done === total || done - lastPrint >= 256) {
        lastPrint = done;
        console.log(`embeddings: ${done}/${total}`);
      }
    },
  });
  await embedder.release();
  const x: Matrix = { data: new Float32Array(jobs.length * width), rows: jobs.length, cols: width };
  embeddings.forEach((e, i) => x.data.set(e, i * width));
  const photoOf = new Map(images.map((im, i) => [im.path, i]));
  const rowPhoto = Int32Array.from(jobs, (j) => photoOf.get(j.item.path)!);
  const rowLabels = Int32Array.from(rowPhoto, (p) => labels[p]);
  const originalRow = new Int32Array(images.length);
  trainJobs.forEach((j, row) => {
    if (j.variant.longSide === undefined && !j.variant.photometric) originalRow[rowPhoto[row]] = row;
  });
  const reencodedRow = Int32Array.from(images, (_, i) => trainJobs.length + i);
  const fitRows = trainJobs.map((_, row) => row);

  // 3. Head: L2 by repeated grouped CV; out-of-fold predictions and calibration; final fit on all photos.
  console.log(`head: logistic regression, ${cv.k}-fold x ${cv.repeats} CV over l2 in {${grid.join(', ')}}`);
  const headCv = crossValidateHead({ x, labels: rowLabels, photo: rowPhoto, originalRow, reencodedRow, fitRows }, labels, pf.plan, grid, (s) =>
    console.log(`  l2=${s.l2}: out-of-fold log-loss ${s.logLoss.toFixed(4)} accuracy ${(s.accuracy * 100).toFixed(2)} %`),
  );
  const { report, predictions } = buildCvReport(pf, headCv.raw, headCv.rawReencoded, CLIP_THRESHOLD);
  for (const k of ['raw', 'calibrated', 'raw_reencoded_256', 'calibrated_reencoded_256'] as const) console.log(cvLine(`  out of fold, ${k}`, report[k]));
  let comparison: Comparison | undefined;
  if (serving) {
    comparison = compareOnFolds(pf, predictions.calibrated, serving, await servingHeldOut(serving, pf, dataDir, servedBy(images, threads, batchSize)), CLIP_THRESHOLD, opts.tolerance);
    for (const l of comparisonLines(comparison)) console.log(l);
  } else console.log(`no clip version in ${opts.modelsDir}: a first version, nothing to compare with`);
  const fit = fitLogisticRegression(x, rowLabels, fitRows, { l2: headCv.best.l2 });
  console.log(`  chosen l2=${headCv.best.l2}; final fit ${fit.iterations} L-BFGS iterations (converged: ${fit.converged}); Platt a=${report.calibration.a.toFixed(4)} b=${report.calibration.b.toFixed(4)}`);

  // 4. One graph: backbone + Gemm + Softmax; it must reproduce the fitted head.
  const modelBytes = appendSoftmaxHead(backbone, foldStandardizer(fit.model), {
    embeddingOutput: EMBEDDING_OUTPUT,
    outputName: CLIP_OUTPUT_NAME,
    producerName: '@cataract/tools train-clip',
    docString: `cataract vs normal: nsfwjs ${o.backbone === 'mobilenet_v2' && size === recipe.size ? 'MobileNetV2' : `${recipe.model} at ${size} px`} pooled ${layers.join('+')}${o.flip ? ' (flip-averaged)' : ''} + L2 logistic head; outputs ${CLIP_OUTPUT_NAME} [N, 2] in order ${CLIP_LABELS.join(', ')}`,
    metadata: { labels: CLIP_LABELS.join(','), backbone_sha256: backboneSha },
  });
  const sha256 = sha256Buffer(Buffer.from(modelBytes));
  const served = await OnnxImageRunner.create(modelBytes, { spec: input, outputName: CLIP_OUTPUT_NAME, threads, batchSize });
  const probe = Array.from(originalRow.slice(0, 8));
  const onnxProbe = (await served.run(await Promise.all(probe.map((row) => jobBytes(jobs[row]))))).map((r) => r[1]);
  const jsProbe = predictProba(fit.model, x, probe);
  await served.release();
  const exportGap = Math.max(...onnxProbe.map((p, i) => Math.abs(p - jsProbe[i])));
  if (!(exportGap < 1e-4)) throw new Error(`exported model disagrees with the fitted head by ${exportGap}`);

  // 5. Artefacts.
  const created = new Date();
  const version = modelVersion('clip', sha256, created);
  const outDir = await stagingDir(opts, 'clip', version);
  await writeFileAtomic(path.join(outDir, 'model.onnx'), Buffer.from(modelBytes));
  const command = reproduceCommand('train:clip');
  const manifest = {
    ...clipManifestHead({ version, sha256, calibration: report.calibration, created, input }),
    training: {
      command,
      data: { dir: path.relative(repoRoot, dataDir), photos: { cataract: labels.filter((l) => l === 1).length, normal: labels.filter((l) => l === 0).length } },
      ...(reviewed && { reviewed }),
      backbone: {
        source: `npm nsfwjs@4.4.0 dist/models/${recipe.model} (MIT), converted by @cataract/keras-onnx${size === recipe.size && recipe.model === 'mobilenet_v2' ? '' : `, run at ${size}x${size}`}`,
        layers: layers.map((l) => `${l} (mean over its feature map)`),
        width: width,
        flip_tta: o.flip,
        sha256: backboneSha,
      },
      augmentation: { copies: aug.copies, long_side: [aug.minLongSide, aug.maxLongSide], jpeg_quality: [aug.minQuality, aug.maxQuality], seed: aug.seed, photometric_copies: photometric, photometric_seed: seed + 2 },
      head: { kind: 'logistic regression on standardised embeddings (folded into the Gemm)', l2: headCv.best.l2, cv_scores: headCv.scores, rows: fitRows.length, lbfgs_iterations: fit.iterations },
      export_max_abs_diff: exportGap,
    },
    metrics: { cross_validation: report, ...(comparison && { against_serving: comparison }) },
  };
  OnnxManifestSchema.parse(manifest);
  await writeCvArtefacts(outDir, dataDir, version, pf, report, predictions);
  await writeReferenceStats(outDir, images, statsViewOfTensorSpec(input), { tool: 'npm run train:clip', version, data_dir: path.relative(repoRoot, dataDir) || '.', reviewed_uploads: reviewed?.used ?? 0 });
  const seconds = (Date.now() - started) / 1000;
  await writeFileAtomic(path.join(outDir, 'README.md'), renderClipModelCard({ manifest, report, scores: headCv.scores, modelBytes: modelBytes.length, backboneBytes: backbone.length, seconds, cached: Boolean(o['cache-dir']), photosOf: photosOf(path.relative(repoRoot, dataDir) || '.', reviewed) }) + '\n' + retrainingCard(reviewed, comparison));
  console.log(`wrote ${path.relative(process.cwd(), outDir)}/{model.onnx (${(modelBytes.length / 1e6).toFixed(2)} MB), manifest.json, README.md, oof-predictions.json, reliability.png}`);
  console.log(`version ${version} sha256 ${sha256} in ${seconds.toFixed(0)} s`);
  process.exitCode = await release(opts, outDir, manifest, comparison, (m) => console.log(m));
}

/** The serving clip version's P(cataract) on photos its out-of-fold file does not hold, by its own graph. */
function servedBy(images: readonly { path: string }[], threads: number, batchSize: number): LivePredictor {
  return async (v, idx) => {
    const m = v.manifest;
    if (m.runtime !== 'onnx') throw new Error(`${v.location.dir}: not an onnx model`);
    const runner = await OnnxImageRunner.create(new Uint8Array(v.bytes), { spec: m.input, outputName: m.output.name, threads, batchSize });
    try {
      const out = await runner.run(await Promise.all(idx.map((i) => readFile(images[i].path))));
      const k = m.labels.indexOf(m.positive_label);
      const softmax = (row: Float32Array) => {
        const top = Math.max(...row);
        const e = Array.from(row, (z) => Math.exp(z - top));
        return e[k] / e.reduce((x, y) => x + y, 0);
      };
      return out.map((row) => (m.output.kind === 'probabilities' ? row[k] : softmax(row)));
    } finally {
      await runner.release();
    }
  };
}

runCli(main);
