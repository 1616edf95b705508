/**
 * npm run train:lgbm -- [--data DIR] [--out DIR] ...
 * Trains the default lgbm model: stratified validation split (reported only), resolution-augmented
 * features from @cataract/imaging, the iteration count chosen by grouped k-fold CV on the training
 * photos, a final fit on all training photos, then validation metrics (photos as they are and
 * re-encoded at 256 px / q85) and models/lgbm/{model.txt, manifest.json, README.md}.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { LightgbmManifestSchema } from '@cataract/contracts';
import { train, type TrainParams } from '@cataract/gbdt-trainer';
import { LGBM_FEATURE_SET, probeImage } from '@cataract/imaging';
import { loadModel } from 'lightgbm-ts-predictor';
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
  photoName,
  runCli,
  repoRoot,
  rocAuc,
  sha256File,
  stratifiedFolds,
  stratifiedSplit,
  VectorCache,
  writeFileAtomic,
  writeManifest,
  type LabelledImage,
} from './common';
import { planAugmentation, type Variant } from './lgbm/augment';
import { crossValidate, type TrainRow } from './lgbm/cross-validate';
import { extractAll } from './lgbm/features';
import { renderModelCard } from './lgbm/model-card';
import { misclassified } from './lgbm/predictions-file';

const CLI = {
  data: { type: 'string', description: 'training photos: DIR/{cataract,normal}/*', default: path.relative(process.cwd(), defaultDataDir) || '.' },
  out: { type: 'string', description: 'output directory', default: path.relative(process.cwd(), path.join(repoRoot, 'models/lgbm')) || '.' },
  seed: { type: 'string', description: 'seed of the split, folds, augmentation and trainer', default: '42' },
  'valid-fraction': { type: 'string', description: 'validation photos per class (reported, never trained on)', default: '0.2' },
  'cv-folds': { type: 'string', description: 'folds (over training photos) choosing the iteration count', default: '5' },
  'max-iterations': { type: 'string', description: 'iterations trained per fold', default: '800' },
  copies: { type: 'string', description: 'augmented copies per training photo', default: '4' },
  'min-side': { type: 'string', description: 'smallest augmented long side (px)', default: '160' },
  'max-side': { type: 'string', description: 'largest augmented long side (px)', default: '400' },
  'min-quality': { type: 'string', description: 'lowest augmented JPEG quality', default: '70' },
  'max-quality': { type: 'string', description: 'highest augmented JPEG quality', default: '95' },
  concurrency: { type: 'string', description: 'images decoded in parallel', default: '4' },
  'cache-dir': { type: 'string', description: 'optional feature cache directory (speeds up re-runs)' },
  'oof-out': { type: 'string', description: 'optional JSON file for the out-of-fold P(cataract) of every training photo (error analysis)' },
  'num-leaves': { type: 'string', description: 'num_leaves', default: '16' },
  'learning-rate': { type: 'string', description: 'learning_rate', default: '0.03' },
  'min-data-in-leaf': { type: 'string', description: 'min_data_in_leaf', default: '30' },
} as const;

const LABEL_VALUE = { cataract: 1, normal: 0 } as const;
const THRESHOLD = 0.5;

async function main(): Promise<void> {
  const o = parseCli('npm run train:lgbm --', CLI);
  if (!o) return;
  const seed = intOption('seed', o.seed, 42);
  const validFraction = numberOption('valid-fraction', o['valid-fraction'], 0.2);
  const cvFolds = intOption('cv-folds', o['cv-folds'], 5);
  const maxIterations = intOption('max-iterations', o['max-iterations'], 800);
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
    learning_rate: numberOption('learning-rate', o['learning-rate'], 0.03),
    num_leaves: intOption('num-leaves', o['num-leaves'], 16),
    max_depth: -1,
    min_data_in_leaf: intOption('min-data-in-leaf', o['min-data-in-leaf'], 30),
    min_sum_hessian_in_leaf: 1e-3,
    lambda_l2: 1,
    feature_fraction: 0.7,
    bagging_fraction: 0.8,
    bagging_freq: 1,
    max_bin: 255,
    seed,
  };

  // 1. Photos and splits, at photo level: a photo and its copies are always on the same side.
  const images = listLabelledImages(dataDir);
  const { train: trainImgs, valid: validImgs } = stratifiedSplit(images, validFraction, seed);
  const foldSeed = seed + 1;
  const photoFold = stratifiedFolds(trainImgs, cvFolds, foldSeed);
  const count = (xs: LabelledImage[], l: string) => xs.filter((x) => x.label === l).length;
  const counts = Object.fromEntries(
    (['cataract', 'normal'] as const).map((l) => [l, { total: count(images, l), train: count(trainImgs, l), valid: count(validImgs, l) }]),
  );
  console.log(`data: ${dataDir}`);
  console.log(`photos: ${images.length}; training ${trainImgs.length}, validation ${validImgs.length} (stratified, seed ${seed})`);

  // 2. Features: training photos + augmented copies, validation photos as they are and re-encoded.
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
  const photoIndex = new Map(trainImgs.map((x, i) => [x.path, i]));
  const trainRows: TrainRow[] = trainJobs.map((j, i) => ({
    photo: photoIndex.get(j.item.path)!,
    original: j.variant.longSide === undefined,
    features: feats[i],
    label: LABEL_VALUE[j.item.label],
  }));
  const validPlain = feats.slice(trainJobs.length, trainJobs.length + validImgs.length);
  const validRe = feats.slice(trainJobs.length + validImgs.length);
  const featureNames = [...LGBM_FEATURE_SET.names];

  // 3. Iteration count from grouped CV on the training photos, then the final fit on all of them.
  console.log(`cross-validation: ${cvFolds} folds over ${trainImgs.length} training photos (${trainRows.length} rows), ${maxIterations} iterations each`);
  const cv = crossValidate(trainRows, photoFold, params, maxIterations, featureNames, (m) => console.log(m));
  console.log(`  best iteration ${cv.bestIteration} (mean held-out logloss ${cv.bestLoss.toFixed(4)})`);
  console.log(formatMetrics(`  out-of-fold, training photos as they are`, cv.original));
  console.log(formatMetrics(`  out-of-fold, augmented copies`, cv.augmented));

  console.log(`final fit: all ${trainRows.length} training rows, ${cv.bestIteration} iterations`);
  const finalParams = { ...params, num_iterations: cv.bestIteration };
  const booster = train(
    finalParams,
    { rows: trainRows.map((r) => r.features), labels: trainRows.map((r) => r.label) },
    {
      featureNames,
      onProgress: (e) => {
        if (e.iteration % 100 === 0 || e.iteration === cv.bestIteration) console.log(`  [${e.iteration}] train ${e.metric} ${e.trainLoss.toFixed(5)}`);
      },
    },
  );
  const modelText = booster.toModelString();

  // 4. Evaluate through the predictor that serves the model (the written text, not in-memory trees).
  const served = loadModel(modelText);
  const validLabels = validImgs.map((x) => LABEL_VALUE[x.label]);
  const pPlain = served.predictMany(flatten(validPlain));
  const pRe = served.predictMany(flatten(validRe));
  const plain = binaryMetrics(pPlain, validLabels, THRESHOLD);
  const reencoded = binaryMetrics(pRe, validLabels, THRESHOLD);
  const longSides = await mapLimit(validImgs, concurrency, async (x) => {
    const m = await probeImage(await readFile(x.path));
    return Math.max(m.width, m.height);
  });
  const sideAuc = rocAuc(longSides, validLabels);
  const shortcutAuc = Math.max(sideAuc, 1 - sideAuc);
  console.log(formatMetrics('validation (photos as they are)', plain));
  console.log(formatMetrics('validation (long side 256 px, JPEG q85)', reencoded));
  console.log(`shortcut reference: the image long side alone separates the validation photos with ROC-AUC ${shortcutAuc.toFixed(4)}`);

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
  const command = `npm run train:lgbm${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`;
  const manifest = {
    name: 'lgbm',
    version: modelVersion('lgbm', sha256),
    runtime: 'lightgbm',
    file: 'model.txt',
    sha256,
    labels: ['normal', 'cataract'],
    positive_label: 'cataract',
    threshold: THRESHOLD,
    created: new Date().toISOString(),
    feature_set: { name: LGBM_FEATURE_SET.name, version: LGBM_FEATURE_SET.version },
    training: {
      trainer: '@cataract/gbdt-trainer',
      command,
      data_dir: relData,
      counts,
      seed,
      split: { valid_fraction: validFraction, stratified: true, unit: 'photo' },
      augmentation,
      train_rows: trainRows.length,
      iteration_selection: {
        method: `${cv.folds}-fold stratified CV over training photos (grouped by photo), lowest mean held-out logloss`,
        max_iterations: maxIterations,
        best_iteration: cv.bestIteration,
        cv_logloss: cv.bestLoss,
        out_of_fold: cv.original,
        out_of_fold_augmented: cv.augmented,
      },
      params: finalParams,
    },
    metrics: { validation: plain, validation_reencoded_256: reencoded },
  };
  // Validate against the actor's schema before writing; the object (in MANIFEST.md field order) is what gets written.
  LightgbmManifestSchema.parse(manifest);
  await writeManifest(outDir, manifest);
  const card = renderModelCard({
    command,
    dataDir: relData,
    counts,
    seed,
    validFraction,
    augmentation,
    trainRows: trainRows.length,
    params: finalParams,
    cv,
    featureSet: { name: LGBM_FEATURE_SET.name, version: LGBM_FEATURE_SET.version, count: featureNames.length },
    threshold: THRESHOLD,
    plain,
    reencoded,
    shortcutAuc,
    sha256,
    topFeatures: topFeatures(modelText),
  });
  await writeFileAtomic(path.join(outDir, 'README.md'), card);
  // Per-photo validation P(cataract), same shape as models/clip's, for choosing ensemble weights.
  const predictions = {
    model: manifest.version,
    split: { seed, valid_fraction: validFraction },
    labels: manifest.labels,
    predictions: validImgs.map((v, i) => ({
      file: photoName(dataDir, v.path),
      label: v.label,
      p: pPlain[i],
      p_reencoded_256: pRe[i],
    })),
  };
  await writeFileAtomic(path.join(outDir, 'validation-predictions.json'), JSON.stringify(predictions, null, 2) + '\n');
  console.log(`wrote ${modelFile} (sha256 ${sha256}), manifest.json, README.md, validation-predictions.json`);
  if (o['oof-out']) {
    // The cross-validation's own held-out predictions: the training photos' counterpart of
    // validation-predictions.json (each photo scored by the fold model that never saw it).
    const oofFile = path.resolve(o['oof-out']);
    const oof = {
      model: manifest.version,
      split: { seed, valid_fraction: validFraction },
      cross_validation: { folds: cv.folds, seed: foldSeed, iteration: cv.bestIteration },
      labels: manifest.labels,
      threshold: THRESHOLD,
      predictions: cv.outOfFold.map((x) => ({
        file: photoName(dataDir, trainImgs[x.photo].path),
        label: trainImgs[x.photo].label,
        p: x.p,
      })),
    };
    await writeFileAtomic(oofFile, JSON.stringify(oof, null, 2) + '\n');
    const wrong = misclassified(oof).length;
    console.log(`wrote ${oofFile}: ${oof.predictions.length} training photos out-of-fold, ${wrong} on the wrong side of ${THRESHOLD}`);
  }
}

/** Row-major batch for the predictor. */
function flatten(rows: readonly Float64Array[]): Float64Array {
  const nf = rows.length ? rows[0].length : 0;
  const out = new Float64Array(rows.length * nf);
  rows.forEach((r, i) => out.set(r, i * nf));
  return out;
}

/** The first entries of the model's `feature_importances:` section (name=split count). */
function topFeatures(modelText: string, k = 8): string[] {
  const marker = '\nfeature_importances:\n';
  const lines = modelText.slice(modelText.indexOf(marker) + marker.length).split('\n');
  const out: string[] = [];
  for (const l of lines) {
    if (!l.includes('=') || out.length === k) break;
    out.push(l);
  }
  return out;
}

runCli(main);
