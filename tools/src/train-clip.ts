/**
 * `npm run train:clip -- --data DIR`: trains the default clip model. Embeds photos with the
 * converted nsfwjs MobileNetV2 backbone (imaging's imageToTensor, exactly as the actor does), fits an
 * L2 logistic-regression head on resolution-augmented training embeddings (L2 chosen by grouped
 * cross-validation), appends it to the backbone as Gemm + Softmax, then measures the written
 * model.onnx on the held-out validation photos, plain and re-encoded at 256 px / q85.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  UsageError,
  VectorCache,
  binaryMetrics,
  defaultDataDir,
  formatMetrics,
  intOption,
  listLabelledImages,
  modelVersion,
  numberOption,
  parseCli,
  photoName,
  runCli,
  repoRoot,
  sha256Buffer,
  stratifiedSplit,
  writeFileAtomic,
  writeManifest,
  type BinaryMetrics,
} from './common';
import { planAugmentation } from './lgbm/augment';
import { BACKBONE_INPUT, EMBEDDING_OUTPUT, EMBEDDING_SIZE, buildBackbone } from './clip/backbone';
import { appendSoftmaxHead } from './clip/export-model';
import { fitLogisticRegression, foldStandardizer, predictProba, type Matrix } from './clip/logistic-regression';
import { crossValidateL2 } from './clip/model-selection';
import { OnnxImageRunner } from './clip/onnx-image-runner';
import { embedJobs, jobBytes, type EmbedJob } from './clip/photo-embeddings';
import { renderClipModelCard } from './clip/model-card';

export const LABELS = ['normal', 'cataract'] as const;
const LABEL_VALUE = { normal: 0, cataract: 1 } as const;
const OUTPUT_NAME = 'probabilities';
const REENCODE = { longSide: 256, quality: 85 };
/** Extra robustness figure (not a contract metric): validation photos shrunk to 128 px. */
const REENCODE_SMALL = { longSide: 128, quality: 80 };

const CLI = {
  data: { type: 'string', description: 'training photos: DIR/{cataract,normal}/*', default: path.relative(process.cwd(), defaultDataDir) || '.' },
  out: { type: 'string', description: 'output directory', default: path.relative(process.cwd(), path.join(repoRoot, 'models/clip')) || '.' },
  backbone: { type: 'string', description: 'backbone ONNX (built from nsfwjs when absent)', default: path.relative(process.cwd(), path.join(repoRoot, 'models/clip/backbone.onnx')) },
  seed: { type: 'string', description: 'seed of the split, augmentation and CV folds', default: '42' },
  'valid-fraction': { type: 'string', description: 'validation photos per class (reported, never trained on)', default: '0.2' },
  copies: { type: 'string', description: 'augmented copies per training photo', default: '3' },
  'min-side': { type: 'string', description: 'smallest augmented long side (px)', default: '96' },
  'max-side': { type: 'string', description: 'largest augmented long side (px)', default: '448' },
  'min-quality': { type: 'string', description: 'lowest augmented JPEG quality', default: '60' },
  'max-quality': { type: 'string', description: 'highest augmented JPEG quality', default: '95' },
  l2: { type: 'string', description: 'comma-separated L2 grid searched by cross-validation', default: '0.3,0.1,0.03,0.01,0.003,0.001' },
  folds: { type: 'string', description: 'cross-validation folds (grouped by photo)', default: '5' },
  threshold: { type: 'string', description: 'P(cataract) decision threshold', default: '0.5' },
  threads: { type: 'string', description: 'onnxruntime intra-op threads', default: '2' },
  'batch-size': { type: 'string', description: 'images per onnxruntime batch', default: '16' },
  'cache-dir': { type: 'string', description: 'optional embedding cache directory (speeds up re-runs)' },
} as const;

async function loadBackbone(file: string): Promise<Uint8Array> {
  if (existsSync(file)) return new Uint8Array(await readFile(file));
  console.log(`backbone ${file} absent: building it from nsfwjs (same as npm run build:backbone)`);
  const { bytes } = buildBackbone();
  await writeFileAtomic(file, Buffer.from(bytes));
  return bytes;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

async function main(): Promise<void> {
  const o = parseCli('npm run train:clip --', CLI);
  if (!o) return;
  const started = Date.now();
  const seed = intOption('seed', o.seed, 42);
  const validFraction = numberOption('valid-fraction', o['valid-fraction'], 0.2);
  const threshold = numberOption('threshold', o.threshold, 0.5);
  const threads = intOption('threads', o.threads, 2);
  const batchSize = intOption('batch-size', o['batch-size'], 16);
  const folds = intOption('folds', o.folds, 5);
  const grid = o.l2.split(',').map((v) => {
    const n = Number(v);
    if (!(n > 0)) throw new UsageError(`--l2 values must be positive numbers, got "${v}"`);
    return n;
  });
  // Same seed offset convention as train:lgbm (split seed, seed + 2 for augmentation).
  const aug = {
    copies: intOption('copies', o.copies, 3),
    minLongSide: intOption('min-side', o['min-side'], 96),
    maxLongSide: intOption('max-side', o['max-side'], 448),
    minQuality: intOption('min-quality', o['min-quality'], 60),
    maxQuality: intOption('max-quality', o['max-quality'], 95),
    seed: seed + 2,
  };
  const dataDir = path.resolve(o.data);
  const outDir = path.resolve(o.out);
  const cache = new VectorCache(o['cache-dir'] ? path.resolve(o['cache-dir']) : undefined);

  // 1. Data and split (the split is the one train:lgbm uses for the same seed and fraction).
  const images = listLabelledImages(dataDir);
  const { train: trainImgs, valid: validImgs } = stratifiedSplit(images, validFraction, seed);
  const count = (xs: typeof images, l: string) => xs.filter((x) => x.label === l).length;
  const counts = Object.fromEntries(LABELS.map((l) => [l, { total: count(images, l), train: count(trainImgs, l), valid: count(validImgs, l) }]));
  console.log(`data: ${dataDir}`);
  console.log(`photos: ${images.length} (train ${trainImgs.length}, validation ${validImgs.length})`);

  // 2. Backbone embeddings of training photos and their augmented copies.
  const backbonePath = path.resolve(o.backbone);
  const backbone = await loadBackbone(backbonePath);
  const backboneSha = sha256Buffer(Buffer.from(backbone));
  const embedder = await OnnxImageRunner.create(backbone, { spec: BACKBONE_INPUT, outputName: EMBEDDING_OUTPUT, threads, batchSize });
  const jobs: EmbedJob[] = planAugmentation(trainImgs, aug);
  let lastPrint = 0;
  const embeddings = await embedJobs(embedder, jobs, {
    dim: EMBEDDING_SIZE,
    cache,
    backboneSha,
    onProgress: (done, total) => {
      if (done === total || done - lastPrint >= 256) {
        lastPrint = done;
        console.log(`embeddings: ${done}/${total}`);
      }
    },
  });
  const x: Matrix = { data: new Float32Array(jobs.length * EMBEDDING_SIZE), rows: jobs.length, cols: EMBEDDING_SIZE };
  embeddings.forEach((e, i) => x.data.set(e, i * EMBEDDING_SIZE));
  const y = Int32Array.from(jobs, (j) => LABEL_VALUE[j.item.label]);
  const groups = jobs.map((j) => j.item.path);

  // 3. Head: L2 by grouped CV, then one fit on all training rows.
  console.log(`head: logistic regression, ${folds}-fold CV over l2 in {${grid.join(', ')}}`);
  const scores = crossValidateL2(x, y, groups, grid, {
    folds,
    seed,
    onScore: (s) => console.log(`  l2=${s.l2}: cv log-loss ${s.logLoss.toFixed(4)} accuracy ${pct(s.accuracy)}`),
  });
  const best = scores.reduce((a, b) => (b.logLoss < a.logLoss ? b : a));
  const all = Array.from({ length: x.rows }, (_, i) => i);
  const fit = fitLogisticRegression(x, y, all, { l2: best.l2 });
  console.log(`  chosen l2=${best.l2}; final fit ${fit.iterations} L-BFGS iterations (converged: ${fit.converged})`);
  const head = foldStandardizer(fit.model);

  // 4. One graph: backbone + Gemm + Softmax.
  const created = new Date();
  const modelBytes = appendSoftmaxHead(backbone, head, {
    embeddingOutput: EMBEDDING_OUTPUT,
    outputName: OUTPUT_NAME,
    producerName: '@cataract/tools train-clip',
    docString: `cataract vs normal: nsfwjs MobileNetV2 embedding + L2 logistic head; outputs ${OUTPUT_NAME} [N, 2] in order ${LABELS.join(', ')}`,
    metadata: { labels: LABELS.join(','), backbone_sha256: backboneSha },
  });
  const sha256 = sha256Buffer(Buffer.from(modelBytes));

  // 5. Measure the written graph itself on the validation photos.
  const served = await OnnxImageRunner.create(modelBytes, { spec: BACKBONE_INPUT, outputName: OUTPUT_NAME, threads, batchSize });
  const pCataract = async (variant: { longSide?: number; quality?: number }) => {
    const bytes: Buffer[] = [];
    for (const item of validImgs) bytes.push(await jobBytes({ item, variant }));
    return (await served.run(bytes)).map((row) => row[1]);
  };
  const validLabels = validImgs.map((v) => LABEL_VALUE[v.label]);
  const pPlain = await pCataract({});
  const pRe = await pCataract(REENCODE);
  const pSmall = await pCataract(REENCODE_SMALL);
  const plain = binaryMetrics(pPlain, validLabels, threshold);
  const reencoded = binaryMetrics(pRe, validLabels, threshold);
  const small = binaryMetrics(pSmall, validLabels, threshold);

  // The exported head must equal the one fitted in JS (guards the Gemm layout / standardisation fold).
  const probe = jobs.slice(0, 8).filter((j) => j.variant.longSide === undefined);
  const onnxProbe = (await served.run(await Promise.all(probe.map(jobBytes)))).map((r) => r[1]);
  const jsProbe = predictProba(fit.model, x, probe.map((j) => jobs.indexOf(j)));
  const exportGap = Math.max(...onnxProbe.map((p, i) => Math.abs(p - jsProbe[i])));
  if (!(exportGap < 1e-4)) throw new Error(`exported model disagrees with the fitted head by ${exportGap}`);
  await served.release();
  await embedder.release();

  console.log(formatMetrics('validation (plain)', plain));
  console.log(formatMetrics(`validation (re-encoded ${REENCODE.longSide}px q${REENCODE.quality})`, reencoded));
  console.log(formatMetrics(`validation (re-encoded ${REENCODE_SMALL.longSide}px q${REENCODE_SMALL.quality}, diagnostic)`, small));
  const gap = Math.abs(plain.accuracy - reencoded.accuracy) * 100;
  console.log(`plain vs re-encoded accuracy gap: ${gap.toFixed(2)} points`);

  // 6. Artefacts.
  const version = modelVersion('clip', sha256, created);
  await writeFileAtomic(path.join(outDir, 'model.onnx'), Buffer.from(modelBytes));
  const metricsOf = (m: BinaryMetrics) => ({ accuracy: m.accuracy, auc: m.auc, confusion: m.confusion, n: m.n });
  const { name: inputName, ...spec } = BACKBONE_INPUT;
  const manifest = {
    name: 'clip',
    version,
    runtime: 'onnx',
    file: 'model.onnx',
    sha256,
    labels: [...LABELS],
    positive_label: 'cataract',
    threshold,
    created: created.toISOString(),
    input: { name: inputName, ...spec },
    output: { name: OUTPUT_NAME, kind: 'probabilities' },
    training: {
      data: { dir: path.relative(repoRoot, dataDir), counts },
      seed,
      split: { kind: 'stratified', valid_fraction: validFraction, seed },
      backbone: {
        source: 'npm nsfwjs@4.4.0 dist/models/mobilenet_v2 (MIT), converted by @cataract/keras-onnx',
        layer: 'flatten_1 (7x7 average pool of out_relu), 1280-d',
        sha256: backboneSha,
      },
      augmentation: { copies: aug.copies, long_side: [aug.minLongSide, aug.maxLongSide], jpeg_quality: [aug.minQuality, aug.maxQuality], seed: aug.seed },
      head: {
        kind: 'logistic regression on standardised embeddings (folded into the Gemm)',
        l2: best.l2,
        cv: { folds, grouped_by: 'photo', scores },
        rows: x.rows,
        lbfgs_iterations: fit.iterations,
      },
      diagnostics: { validation_reencoded_128: metricsOf(small), export_max_abs_diff: exportGap },
    },
    metrics: { validation: metricsOf(plain), validation_reencoded_256: metricsOf(reencoded) },
  };
  await writeManifest(outDir, manifest);
  const predictions = {
    model: version,
    split: { seed, valid_fraction: validFraction },
    labels: [...LABELS],
    predictions: validImgs.map((v, i) => ({ file: photoName(dataDir, v.path), label: v.label, p: pPlain[i], p_reencoded_256: pRe[i] })),
  };
  await writeFile(path.join(outDir, 'validation-predictions.json'), JSON.stringify(predictions, null, 2) + '\n');
  await writeFile(
    path.join(outDir, 'README.md'),
    renderClipModelCard({ manifest, modelBytes: modelBytes.length, backboneBytes: backbone.length, seconds: (Date.now() - started) / 1000 }),
  );
  console.log(`wrote ${path.relative(process.cwd(), outDir)}/{model.onnx (${(modelBytes.length / 1e6).toFixed(2)} MB), manifest.json, validation-predictions.json, README.md}`);
  console.log(`version ${version} sha256 ${sha256} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

runCli(main);
