/**
 * npm run train:lgbm -- [--data DIR] [--out DIR] ...
 * Trains the default lgbm model. Every photo is scored out of fold by a repeated stratified k-fold
 * cross-validation grouped by near-duplicates (tools/src/cv); the iteration count is the one with
 * the lowest mean held-out log-loss, the Platt calibration the actor applies is fitted on the
 * out-of-fold predictions, and the final model is trained on all photos (and their resolution-
 * augmented copies). With --reviewed, the reviewed uploads of a CUSTOMER_DATA_DIR join the photos.
 * The candidate version (model.txt, manifest.json, README.md, oof-predictions.json, reliability.png)
 * is written to a staging folder, scored against the serving version on the same folds, and
 * published into the store with --publish when not worse (tools/src/retrain/).
 */
import path from 'node:path';
import { LightgbmManifestSchema } from '@cataract/contracts';
import { train, type TrainParams } from '@cataract/gbdt-trainer';
import { LGBM_FEATURE_SET, LGBM_STATS_VIEW } from '@cataract/imaging';
import { loadModel } from 'lightgbm-ts-predictor';
import { defaultDataDir, intOption, modelVersion, numberOption, parseCli, runCli, repoRoot, sha256Buffer, VectorCache, writeFileAtomic, reproduceCommand } from './common';
import { CV_CLI, cvOptions } from './cv/options';
import { buildCvReport, cvLine, writeCvArtefacts } from './cv/report';
import { planAugmentation, type Variant } from './lgbm/augment';
import { crossValidate, type TrainRow } from './lgbm/cross-validate';
import { extractAll } from './lgbm/features';
import { renderModelCard } from './lgbm/model-card';
import { photosOf, retrainingCard } from './retrain/card';
import { compareOnFolds, comparisonLines, findServing, servingHeldOut, type Comparison } from './retrain/comparison';
import { writeReferenceStats } from './retrain/reference-stats';
import { release, RETRAIN_CLI, retrainOptions, stagingDir } from './retrain/release';
import { trainingPhotos } from './retrain/training-photos';

const CLI = {
  data: { type: 'string', description: 'training photos: DIR/{cataract,normal}/*', default: path.relative(process.cwd(), defaultDataDir) || '.' },
  ...RETRAIN_CLI,
  seed: { type: 'string', description: 'seed of the augmentation and trainer', default: '42' },
  ...CV_CLI,
  'max-iterations': { type: 'string', description: 'iterations trained per fold', default: '400' },
  copies: { type: 'string', description: 'augmented copies per training photo', default: '4' },
  'min-side': { type: 'string', description: 'smallest augmented long side (px)', default: '160' },
  'max-side': { type: 'string', description: 'largest augmented long side (px)', default: '400' },
  'min-quality': { type: 'string', description: 'lowest augmented JPEG quality', default: '70' },
  'max-quality': { type: 'string', description: 'highest augmented JPEG quality', default: '95' },
  concurrency: { type: 'string', description: 'images decoded in parallel', default: '2' },
  'cache-dir': { type: 'string', description: 'optional feature cache directory (speeds up re-runs)' },
  'num-leaves': { type: 'string', description: 'num_leaves', default: '16' },
  'learning-rate': { type: 'string', description: 'learning_rate', default: '0.03' },
  'min-data-in-leaf': { type: 'string', description: 'min_data_in_leaf', default: '30' },
} as const;

const THRESHOLD = 0.5;
/** The re-encoded copy every photo is also scored as (a user's downscaled upload). */
const REENCODE_256: Variant = { longSide: 256, quality: 85 };

async function main(): Promise<void> {
  const o = parseCli('npm run train:lgbm --', CLI);
  if (!o) return;
  const started = Date.now();
  const seed = intOption('seed', o.seed, 42);
  const cv = cvOptions(o);
  const maxIterations = intOption('max-iterations', o['max-iterations'], 400);
  const concurrency = intOption('concurrency', o.concurrency, 2);
  const aug = {
    copies: intOption('copies', o.copies, 4),
    minLongSide: intOption('min-side', o['min-side'], 160),
    maxLongSide: intOption('max-side', o['max-side'], 400),
    minQuality: intOption('min-quality', o['min-quality'], 70),
    maxQuality: intOption('max-quality', o['max-quality'], 95),
    seed: seed + 2,
  };
  const dataDir = path.resolve(o.data);
  const opts = retrainOptions(o);
  // Checked before the long part: a serving version the store refuses stops the run now.
  const serving = await findServing(opts.modelsDir, 'lgbm', opts.against);
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

  // 1. Photos, near-duplicate groups, folds.
  const { pf, reviewed } = await trainingPhotos(dataDir, cv, opts.reviewedDir, (m) => console.log(m));
  const { images, labels } = pf;
  console.log(`data: ${dataDir}: ${images.length} photos, ${pf.duplicates.groups} near-duplicate groups (${pf.duplicates.linked.length} of more than one photo)`);

  // 2. Features: every photo, its augmented copies, and its 256 px re-encoded copy.
  const trainJobs = planAugmentation(images, aug);
  const reJobs = images.map((item) => ({ item, variant: REENCODE_256 }));
  let lastPrint = 0;
  const feats = await extractAll([...trainJobs, ...reJobs], {
    concurrency,
    cache,
    onProgress: (done, total) => {
      if (done === total || done - lastPrint >= 500) {
        lastPrint = done;
        console.log(`features: ${done}/${total}`);
      }
    },
  });
  const photoIndex = new Map(images.map((x, i) => [x.path, i]));
  const rows: TrainRow[] = trainJobs.map((j, i) => ({ photo: photoIndex.get(j.item.path)!, features: feats[i], label: j.item.label === 'cataract' ? 1 : 0 }));
  const original = trainJobs.flatMap((j, i) => (j.variant.longSide === undefined ? [feats[i]] : []));
  const reencoded = feats.slice(trainJobs.length);
  const featureNames = [...LGBM_FEATURE_SET.names];

  // 3. Repeated grouped CV: iteration count, out-of-fold predictions, calibration.
  console.log(`cross-validation: ${cv.k} folds x ${cv.repeats} repeats over ${images.length} photos (${rows.length} rows), ${maxIterations} iterations each`);
  const result = crossValidate(rows, { original, reencoded, labels }, pf.plan, params, maxIterations, featureNames, (m) => console.log(m));
  console.log(`  best iteration ${result.bestIteration} (mean held-out logloss ${result.bestLoss.toFixed(4)})`);
  const { report, predictions } = buildCvReport(pf, result.raw, result.rawReencoded, THRESHOLD);
  for (const k of ['raw', 'calibrated', 'raw_reencoded_256', 'calibrated_reencoded_256'] as const) console.log(cvLine(`  out of fold, ${k}`, report[k]));
  console.log(`  served calibration: Platt a=${report.calibration.a.toFixed(4)} b=${report.calibration.b.toFixed(4)}`);

  let comparison: Comparison | undefined;
  if (serving) {
    const sp = await servingHeldOut(serving, pf, dataDir, async (v, idx) => {
      const model = loadModel(v.bytes.toString('utf8'));
      return idx.map((i) => model.predict(original[i])[0]);
    });
    comparison = compareOnFolds(pf, predictions.calibrated, serving, sp, THRESHOLD, opts.tolerance);
    for (const l of comparisonLines(comparison)) console.log(l);
  } else console.log(`no lgbm version in ${opts.modelsDir}: a first version, nothing to compare with`);

  // 4. Final model on all photos and their copies.
  console.log(`final fit: all ${rows.length} rows, ${result.bestIteration} iterations`);
  const finalParams = { ...params, num_iterations: result.bestIteration };
  const booster = train(finalParams, { rows: rows.map((r) => r.features), labels: rows.map((r) => r.label) }, { featureNames });
  const modelText = booster.toModelString();
  // The served predictor must read back what the trainer computes.
  const served = loadModel(modelText);
  const gap = Math.max(...original.slice(0, 16).map((f) => Math.abs(served.predict(f)[0] - booster.predict(f))));
  if (!(gap < 1e-9)) throw new Error(`written model disagrees with the trainer by ${gap}`);

  // 5. Artefacts.
  const sha256 = sha256Buffer(modelText);
  const version = modelVersion('lgbm', sha256);
  const outDir = await stagingDir(opts, 'lgbm', version);
  await writeFileAtomic(path.join(outDir, 'model.txt'), modelText);
  const command = reproduceCommand('train:lgbm');
  const augmentation = { copies: aug.copies, long_side: [aug.minLongSide, aug.maxLongSide] as [number, number], jpeg_quality: [aug.minQuality, aug.maxQuality] as [number, number], seed: aug.seed };
  const manifest = {
    name: 'lgbm',
    version,
    runtime: 'lightgbm',
    file: 'model.txt',
    sha256,
    labels: ['normal', 'cataract'],
    positive_label: 'cataract',
    threshold: THRESHOLD,
    calibration: report.calibration,
    created: new Date().toISOString(),
    feature_set: { name: LGBM_FEATURE_SET.name, version: LGBM_FEATURE_SET.version },
    training: {
      trainer: '@cataract/gbdt-trainer',
      command,
      data_dir: path.relative(repoRoot, dataDir) || '.',
      photos: { cataract: labels.filter((l) => l === 1).length, normal: labels.filter((l) => l === 0).length },
      augmentation,
      ...(reviewed && { reviewed }),
      train_rows: rows.length,
      iteration_selection: { method: 'lowest mean held-out log-loss over all folds of all repeats', max_iterations: maxIterations, best_iteration: result.bestIteration, cv_logloss: result.bestLoss },
      params: finalParams,
    },
    metrics: { cross_validation: report, ...(comparison && { against_serving: comparison }) },
  };
  LightgbmManifestSchema.parse(manifest);
  await writeCvArtefacts(outDir, dataDir, version, pf, report, predictions);
  await writeReferenceStats(outDir, images, LGBM_STATS_VIEW, { tool: 'npm run train:lgbm', version, data_dir: path.relative(repoRoot, dataDir) || '.', reviewed_uploads: reviewed?.used ?? 0 });
  const seconds = (Date.now() - started) / 1000;
  await writeFileAtomic(
    path.join(outDir, 'README.md'),
    renderModelCard({ command, report, augmentation, trainRows: rows.length, params: finalParams, result, featureCount: featureNames.length, sha256, bytes: Buffer.byteLength(modelText), seconds, cached: Boolean(o['cache-dir']), topFeatures: topFeatures(modelText), photosOf: photosOf(path.relative(repoRoot, dataDir) || '.', reviewed) }) +
      '\n' +
      retrainingCard(reviewed, comparison),
  );
  console.log(`wrote ${path.relative(process.cwd(), outDir)}/{model.txt, manifest.json, README.md, oof-predictions.json, reliability.png}; version ${version} in ${seconds.toFixed(0)} s`);
  process.exitCode = await release(opts, outDir, manifest, comparison, (m) => console.log(m));
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
