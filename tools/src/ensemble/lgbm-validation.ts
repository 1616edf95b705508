/**
 * lgbm's P(cataract) on its own validation split (the photos as stored and re-encoded at 256 px /
 * JPEG q85), recomputed from the committed model: models/lgbm has no per-photo predictions file.
 * The split is the trainer's (listLabelledImages + stratifiedSplit with the manifest's seed and
 * fraction) and the result is checked against the manifest's recorded validation metrics.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LightgbmManifestSchema, manifestPath } from '@cataract/contracts';
import { assertFeatureSet, downscaleReencode, extractLgbmFeatures } from '@cataract/imaging';
import { loadModel } from 'lightgbm-ts-predictor';
import { binaryMetrics, listLabelledImages, mapLimit, sha256Buffer, stratifiedSplit } from '../common';

export interface PhotoPrediction {
  /** Relative to the data dir, "/"-separated, e.g. "cataract/image_10.jpg". */
  file: string;
  label: 'cataract' | 'normal';
  p: number;
  p_reencoded_256: number;
}

export const REENCODE_256 = { longSide: 256, quality: 85 } as const;

export async function lgbmValidationPredictions(opts: { dataDir: string; modelsDir: string; concurrency: number }): Promise<{ version: string; split: { seed: number; valid_fraction: number }; predictions: PhotoPrediction[] }> {
  const manifest = LightgbmManifestSchema.parse(JSON.parse(await readFile(manifestPath(opts.modelsDir, 'lgbm'), 'utf8')));
  assertFeatureSet(manifest.feature_set);
  const text = await readFile(path.join(opts.modelsDir, 'lgbm', manifest.file));
  if (sha256Buffer(text) !== manifest.sha256) throw new Error(`models/lgbm/${manifest.file} does not match its manifest's sha256`);
  const model = loadModel(text.toString('utf8'));
  const training = manifest.training as { seed?: number; split?: { valid_fraction?: number } } | undefined;
  const seed = training?.seed;
  const fraction = training?.split?.valid_fraction;
  if (typeof seed !== 'number' || typeof fraction !== 'number') throw new Error('models/lgbm/manifest.json has no training.seed / training.split.valid_fraction');

  const { valid } = stratifiedSplit(listLabelledImages(opts.dataDir), fraction, seed);
  const predictions = await mapLimit(valid, opts.concurrency, async (item): Promise<PhotoPrediction> => {
    const buf = await readFile(item.path);
    const p = model.predict(await extractLgbmFeatures(buf))[0];
    const pr = model.predict(await extractLgbmFeatures(await downscaleReencode(buf, REENCODE_256.longSide, REENCODE_256.quality)))[0];
    return { file: path.relative(opts.dataDir, item.path).split(path.sep).join('/'), label: item.label, p, p_reencoded_256: pr };
  });

  // Same split, features and model as the trainer's report, or the join below would be meaningless.
  const recorded = (manifest.metrics as { validation?: { accuracy: number; auc: number; n: number } } | undefined)?.validation;
  const labels = predictions.map((x) => (x.label === 'cataract' ? 1 : 0));
  const got = binaryMetrics(predictions.map((x) => x.p), labels, manifest.threshold);
  if (recorded && (recorded.n !== got.n || Math.abs(recorded.accuracy - got.accuracy) > 1e-9 || Math.abs(recorded.auc - got.auc) > 1e-9)) {
    throw new Error(`recomputed lgbm validation metrics (n ${got.n}, accuracy ${got.accuracy}, auc ${got.auc}) differ from the manifest's (n ${recorded.n}, accuracy ${recorded.accuracy}, auc ${recorded.auc})`);
  }
  return { version: manifest.version, split: { seed, valid_fraction: fraction }, predictions };
}
