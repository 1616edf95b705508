/**
 * lgbm's P(cataract) on its own validation split (the photos as stored and re-encoded at 256 px /
 * JPEG q85): the trainer's models/lgbm/validation-predictions.json when it is for the served model
 * version, otherwise recomputed from the committed model with the trainer's split
 * (listLabelledImages + stratifiedSplit with the manifest's seed and fraction). Either way the
 * predictions must reproduce the manifest's recorded validation metrics.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LightgbmManifest, LightgbmManifestSchema } from '@cataract/contracts';
import { defaultVersionDir } from '@cataract/model-store';
import { assertFeatureSet, downscaleReencode, extractLgbmFeatures } from '@cataract/imaging';
import { loadModel } from 'lightgbm-ts-predictor';
import { binaryMetrics, listLabelledImages, mapLimit, photoName, sha256Buffer, stratifiedSplit } from '../common';
import type { ValidationPrediction } from '../lgbm/predictions-file';

export const REENCODE_256 = { longSide: 256, quality: 85 } as const;

export interface LgbmValidation {
  version: string;
  split: { seed: number; valid_fraction: number };
  /** Where the predictions came from. */
  source: 'recorded' | 'recomputed';
  predictions: ValidationPrediction[];
}

export async function lgbmValidationPredictions(opts: { dataDir: string; modelsDir: string; concurrency: number }): Promise<LgbmValidation> {
  const dir = defaultVersionDir(opts.modelsDir, 'lgbm');
  if (!dir) throw new Error(`no lgbm model in ${opts.modelsDir}`);
  const manifest = LightgbmManifestSchema.parse(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')));
  const training = manifest.training as { seed?: number; split?: { valid_fraction?: number } } | undefined;
  const seed = training?.seed;
  const fraction = training?.split?.valid_fraction;
  if (typeof seed !== 'number' || typeof fraction !== 'number') throw new Error('models/lgbm/manifest.json has no training.seed / training.split.valid_fraction');
  const split = { seed, valid_fraction: fraction };

  const recordedFile = path.join(dir, 'validation-predictions.json');
  const recorded = existsSync(recordedFile) ? (JSON.parse(await readFile(recordedFile, 'utf8')) as { model?: string; predictions?: ValidationPrediction[] }) : undefined;
  let result: LgbmValidation;
  if (recorded?.model === manifest.version && Array.isArray(recorded.predictions)) {
    result = { version: manifest.version, split, source: 'recorded', predictions: recorded.predictions };
  } else {
    result = { version: manifest.version, split, source: 'recomputed', predictions: await recompute(manifest, { ...opts, dir }, split) };
  }
  checkAgainstManifest(manifest, result.predictions);
  return result;
}

async function recompute(
  manifest: LightgbmManifest,
  opts: { dataDir: string; dir: string; concurrency: number },
  split: { seed: number; valid_fraction: number },
): Promise<ValidationPrediction[]> {
  assertFeatureSet(manifest.feature_set);
  const text = await readFile(path.join(opts.dir, manifest.file));
  if (sha256Buffer(text) !== manifest.sha256) throw new Error(`models/lgbm/${manifest.file} does not match its manifest's sha256`);
  const model = loadModel(text.toString('utf8'));
  const { valid } = stratifiedSplit(listLabelledImages(opts.dataDir), split.valid_fraction, split.seed);
  return mapLimit(valid, opts.concurrency, async (item): Promise<ValidationPrediction> => {
    const buf = await readFile(item.path);
    const p = model.predict(await extractLgbmFeatures(buf))[0];
    const pr = model.predict(await extractLgbmFeatures(await downscaleReencode(buf, REENCODE_256.longSide, REENCODE_256.quality)))[0];
    return { file: photoName(opts.dataDir, item.path), label: item.label, p, p_reencoded_256: pr };
  });
}

/** Same split, features and model as the trainer's report, or joining with clip would be meaningless. */
function checkAgainstManifest(manifest: LightgbmManifest, predictions: readonly ValidationPrediction[]): void {
  const recorded = (manifest.metrics as { validation?: { accuracy: number; auc: number; n: number } } | undefined)?.validation;
  const labels = predictions.map((x) => (x.label === 'cataract' ? 1 : 0));
  const got = binaryMetrics(predictions.map((x) => x.p), labels, manifest.threshold);
  if (recorded && (recorded.n !== got.n || Math.abs(recorded.accuracy - got.accuracy) > 1e-9 || Math.abs(recorded.auc - got.auc) > 1e-9)) {
    throw new Error(`lgbm validation predictions' metrics (n ${got.n}, accuracy ${got.accuracy}, auc ${got.auc}) differ from the manifest's (n ${recorded.n}, accuracy ${recorded.accuracy}, auc ${recorded.auc})`);
  }
}
