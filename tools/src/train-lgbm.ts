/**
 * npm run train:lgbm -- [--data DIR] [--out DIR] ...
 * Trains the default lgbm model: stratified validation split, resolution-augmented features from
 * @cataract/imaging, early stopping on a split carved from the training photos, retrain on all
 * training photos, then validation metrics (plain and re-encoded at 256 px / q85) and
 * models/lgbm/{model.txt, manifest.json, README.md}.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { train, type TrainParams } from '@cataract/gbdt-trainer';
import { LGBM_FEATURE_SET, probeImage } from '@cataract/imaging';
import { loadModel } from 'lightgbm-ts-predictor';
import { LightgbmManifestSchema } from '@cataract/contracts';
import {
  binaryMetrics,
  defaultDataDir,
  formatMetrics,
  intOption,
  listLabelledImages,
  mapLimit,
  modelVersion,
  numberOption,
  parseCli,
  repoRoot,
  rocAuc,
  sha256File,
  stratifiedSplit,
  UsageError,
  VectorCache,
  writeFileAtomic,
  writeManifest,
  type LabelledImage,
} from './common';
import { planAugmentation, type Variant } from './lgbm/augment';
import { extractAll } from './lgbm/features';
import { renderModelCard } from './lgbm/model-card';

const CLI = {
  data: { type: 'string', description: 'training photos: DIR/{cataract,normal}/*', default: path.relative(process.cwd(), defaultDataDir) || '.' },
  out: { type: 'string', description: 'output directory', default: path.relative(process.cwd(), path.join(repoRoot, 'models/lgbm')) || '.' },
  seed: { type: 'string', description: 'seed of the split, augmentation and trainer', default: '42' },
  'valid-fraction': { type: 'string', description: 'validation photos per class (reported, never trained on)', default: '0.2' },
  'es-fraction': { type: 'string', description: 'training photos held out for early stopping', default: '0.2' },
  copies: { type: 'string', description: 'augmented copies per training photo', default: '4' },
  'min-side': { type: 'string', description: 'smallest augmented long side (px)', default: '160' },
  'max-side': { type: 'string', description: 'largest augmented long side (px)', default: '400' },
  'min-quality': { type: 'string', description: 'lowest augmented JPEG quality', default: '70' },
  'max-quality': { type: 'string', description: 'highest augmented JPEG quality', default: '95' },
  concurrency: { type: 'string', description: 'images decoded in parallel', default: '4' },
  'cache-dir': { type: 'string', description: 'optional feature cache directory (speeds up re-runs)' },
  'num-leaves': { type: 'string', description: 'num_leaves', default: '8' },
  'learning-rate': { type: 'string', description: 'learning_rate', default: '0.05' },
  'max-iterations': { type: 'string', description: 'iteration cap for early stopping', default: '1500' },
  'early-stopping': { type: 'string', description: 'early_stopping_rounds', default: '100' },
} as const;

const LABEL_VALUE = { cataract: 1, normal: 0 } as const;

async function main(): Promise<void> {
  const o = parseCli('npm run train:lgbm --', CLI);
  if (!o) return;
  const seed = intOption('seed', o.seed, 42);
  const validFraction = numberOption('valid-fraction', o['valid-fraction'], 0.2);
  const esFraction = numberOption('es-fraction', o['es-fraction'], 0.2);
  const concurrency = intOption('concurrency', o.concurrency, 4);
  const aug = {
    copies: intOption('copies', o.copies, 4),
    minLongSide: intOption('min-side', o['min-side'], 160),
    maxLongSide: intOption('max-side', o['max-side'], 400),
    minQuality: intOption('min-quality', o['min-quality'], 70),
    maxQuality: intOption('max-quality', o['max-quality'], 95),
    seed: seed + 2,
  };
  const dataDir = path.resolve(o.data);
  const outDir = path.resolve(o.out);
  const cache = new VectorCache(o['cache-dir'] ? path.resolve(o['cache-dir']) : undefined);
  const params: Partial<TrainParams> = {
    objective: 'binary',
    learning_rate: numberOption('learning-rate', o['learning-rate'], 0.05),
    num_leaves: intOption('num-leaves', o['num-leaves'], 8),
    max_depth: 4,
    min_data_in_leaf: 20,
    min_sum_hessian_in_leaf: 1e-3,
    lambda_l2: 1,
    feature_fraction: 0.7,
    bagging_fraction: 0.8,
    bagging_freq: 1,
    max_bin: 255,
    seed,
  };
  const maxIterations = intOption('max-iterations', o['max-iterations'], 1500);
  const earlyStopping = intOption('early-stopping', o['early-stopping'], 100);

  // 1. Photos and splits (photo level, so a photo and its copies are always on the same side).
  const images = listLabelledImages(dataDir);
  const { train: trainImgs, valid: validImgs } = stratifiedSplit(images, validFraction, seed);
  const { train: fitImgs, valid: esImgs } = stratifiedSplit(trainImgs, esFraction, seed + 1);
  const count = (xs: LabelledImage[], l: string) => xs.filter((x) => x.label === l).length;
  const counts = Object.fromEntries(
    (['cataract', 'normal'] as const).map((l) => [l, { total: count(images, l), train: count(trainImgs, l), valid: count(validImgs, l) }]),
  );
  console.log(`data: ${dataDir}`);
  console.log(`photos: ${images.length} (train ${trainImgs.length} = fit ${fitImgs.length} + early-stopping ${esImgs.length}, validation ${validImgs.length})`);

  // 2. Features: training photos + augmented copies, validation photos plain and re-encoded.
  const trainJobs = planAugmentation(trainImgs, aug);
  const validPlainJobs = validImgs.map((item) => ({ item, variant: {} as Variant }));
  const validReJobs = validImgs.map((item) => ({ item, variant: { longSide: 256, quality: 85 } as Variant }));
  const jobs = [...trainJobs, ...validPlainJobs, ...validReJobs];
  let lastPrint = 0;
  const feats = await extractAll(jobs, {
    concurrency,
    cache,
    onProgress: (done, total) => {
      if (done === total || done - lastPrint >= 250) {
        lastPrint = done;
        console.log(`features: ${done}/${total}`);
      }
    },
  });
  const trainFeats = feats.slice(0, trainJobs.length);
  const validPlain = feats.slice(trainJobs.length, trainJobs.length + validImgs.length);
  const validRe = feats.slice(trainJobs.length + validImgs.length);

  const esSet = new Set(esImgs.map((x) => x.path));
  const rowsOf = (pred: (j: (typeof trainJobs)[number]) => boolean) => {
    const rows: Float64Array[] = [];
    const labels: number[] = [];
    trainJobs.forEach((j, i) => {
      if (pred(j)) {
        rows.push(trainFeats[i]);
        labels.push(LABEL_VALUE[j.item.label]);
      }
    });
    return { rows, labels };
  };
  const fitSet = rowsOf((j) => !esSet.has(j.item.path));
  const esSetRows = rowsOf((j) => esSet.has(j.item.path));
  const allTrain = rowsOf(() => true);
  const featureNames = [...LGBM_FEATURE_SET.names];

  // 3. Early stopping on the held-out training photos, then retrain on all training photos.
  console.log(`stage 1: fit ${fitSet.rows.length} rows, early stopping on ${esSetRows.rows.length} rows (training photos only)`);
  const stage1 = train({ ...params, num_iterations: maxIterations, early_stopping_rounds: earlyStopping }, fitSet, {
    valid: esSetRows,
    featureNames,
    onProgress: (e) => {
      if (e.iteration % 50 === 0) console.log(`  [${e.iteration}] train ${e.metric} ${e.trainLoss.toFixed(5)}  early-stop ${e.metric} ${e.validLoss!.toFixed(5)}`);
    },
  });
  const bestIteration = stage1.bestIteration;
  const esLoss = stage1.history.validLoss[bestIteration - 1];
  console.log(`  best iteration ${bestIteration} (early-stop logloss ${esLoss.toFixed(5)})`);

  console.log(`stage 2: retrain on all ${allTrain.rows.length} training rows for ${bestIteration} iterations`);
  const finalParams = { ...params, num_iterations: bestIteration };
  const booster = train(finalParams, allTrain, {
    featureNames,
    onProgress: (e) => {
      if (e.iteration % 50 === 0 || e.iteration === bestIteration) console.log(`  [${e.iteration}] train ${e.metric} ${e.trainLoss.toFixed(5)}`);
    },
  });
  const modelText = booster.toModelString();

  // 4. Evaluate through the predictor that serves the model (the written text, not in-memory trees).
  const served = loadModel(modelText);
  const threshold = 0.5;
  const validLabels = validImgs.map((x) => LABEL_VALUE[x.label]);
  const plain = binaryMetrics(served.predictMany(flatten(validPlain)), validLabels, threshold);
  const reencoded = binaryMetrics(served.predictMany(flatten(validRe)), validLabels, threshold);
  const longSides = await mapLimit(validImgs, concurrency, async (x) => {
    const m = await probeImage(await readFile(x.path));
    return -Math.max(m.width, m.height); // smaller photo -> more "cataract-like" is false; negate so AUC > 0.5 means separable
  });
  const shortcutAuc = Math.max(rocAuc(longSides, validLabels), 1 - rocAuc(longSides, validLabels));
  console.log(formatMetrics('validation (photos as they are)', plain));
  console.log(formatMetrics('validation (long side 256 px, JPEG q85)', reencoded));
  console.log(`shortcut reference: image long side alone on validation, ROC-AUC ${shortcutAuc.toFixed(4)}`);

  // 5. Model, manifest, model card.
  const modelFile = path.join(outDir, 'model.txt');
  await writeFileAtomic(modelFile, modelText);
  const sha256 = await sha256File(modelFile);
  const relData = path.relative(repoRoot, dataDir) || '.';
  const augmentation = {
    copies: aug.copies,
    long_side: [aug.minLongSide, aug.maxLongSide] as [number, number],
    jpeg_quality: [aug.minQuality, aug.maxQuality] as [number, number],
  };
  const recordedParams = { ...finalParams, early_stopping_rounds_stage1: earlyStopping, max_iterations_stage1: maxIterations };
  const manifest = LightgbmManifestSchema.parse({
    name: 'lgbm',
    version: modelVersion('lgbm', sha256),
    runtime: 'lightgbm',
    file: 'model.txt',
    sha256,
    labels: ['normal', 'cataract'],
    positive_label: 'cataract',
    threshold,
    created: new Date().toISOString(),
    feature_set: { name: LGBM_FEATURE_SET.name, version: LGBM_FEATURE_SET.version },
    training: {
      trainer: '@cataract/gbdt-trainer',
      command: 'npm run train:lgbm',
      data_dir: relData,
      counts,
      seed,
      split: { valid_fraction: validFraction, early_stopping_fraction_of_train: esFraction, stratified: true },
      augmentation,
      train_rows: allTrain.rows.length,
      best_iteration: bestIteration,
      early_stopping_logloss: esLoss,
      params: recordedParams,
    },
    metrics: { validation: plain, validation_reencoded_256: reencoded },
  });
  await writeManifest(outDir, manifest);
  const imp = booster.trees.length ? topFeatures(booster.toModelString()) : [];
  const card = renderModelCard({
    command: `npm run train:lgbm${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
    dataDir: relData,
    counts,
    seed,
    validFraction,
    esFraction,
    augmentation,
    trainRows: allTrain.rows.length,
    params: finalParams,
    bestIteration,
    esLoss,
    featureSet: { name: LGBM_FEATURE_SET.name, version: LGBM_FEATURE_SET.version, count: featureNames.length },
    threshold,
    plain,
    reencoded,
    shortcutAuc,
    sha256,
    topFeatures: imp,
  });
  await writeFileAtomic(path.join(outDir, 'README.md'), card);
  console.log(`wrote ${modelFile} (sha256 ${sha256}), manifest.json, README.md`);
}

/** Row-major batch for the predictor. */
function flatten(rows: readonly Float64Array[]): Float64Array {
  const nf = rows.length ? rows[0].length : 0;
  const out = new Float64Array(rows.length * nf);
  rows.forEach((r, i) => out.set(r, i * nf));
  return out;
}

/** The first few names of the model's `feature_importances:` section. */
function topFeatures(modelText: string, k = 8): string[] {
  const start = modelText.indexOf('\nfeature_importances:\n');
  const lines = modelText.slice(start + 22).split('\n');
  const out: string[] = [];
  for (const l of lines) {
    if (!l.includes('=')) break;
    out.push(l);
    if (out.length === k) break;
  }
  return out;
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
