/**
 * The committed default lgbm model (models/lgbm): integrity always; with ../shared present, that it
 * reproduces the validation metrics its manifest claims.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LightgbmManifestSchema } from '@cataract/contracts';
import { assertFeatureSet, downscaleReencode, extractLgbmFeatures, LGBM_FEATURE_SET } from '@cataract/imaging';
import { defaultVersionDir } from '@cataract/model-store';
import { loadModel } from 'lightgbm-ts-predictor';
import { binaryMetrics, defaultDataDir, listLabelledImages, mapLimit, repoRoot, sha256File, stratifiedSplit } from '../src/common';

const dir = defaultVersionDir(path.join(repoRoot, 'models'), 'lgbm')!;
const manifest = LightgbmManifestSchema.parse(JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')));
const modelText = readFileSync(path.join(dir, manifest.file), 'utf8');

describe('committed models/lgbm', () => {
  test('manifest matches the model file (sha256) and describes a binary lightgbm model', async () => {
    expect(await sha256File(path.join(dir, manifest.file))).toBe(manifest.sha256);
    expect(manifest.name).toBe('lgbm');
    expect(manifest.version).toContain(manifest.sha256.slice(0, 8));
    expect(manifest.labels).toEqual(['normal', 'cataract']);
    expect(modelText).toContain('\nobjective=binary sigmoid:1\n');
  });

  test("feature_set is imaging's LGBM_FEATURE_SET and the model's features are its names, in order", () => {
    expect(() => assertFeatureSet(manifest.feature_set)).not.toThrow();
    const model = loadModel(modelText);
    expect(model.numFeatures).toBe(LGBM_FEATURE_SET.names.length);
    expect(model.featureNames).toEqual([...LGBM_FEATURE_SET.names]);
  });

  test('loads in lightgbm-ts-predictor and gives probabilities', () => {
    const model = loadModel(modelText);
    expect(model.numTrees).toBeGreaterThan(10);
    const p = model.predict(new Float64Array(model.numFeatures).fill(50));
    expect(p[0]).toBeGreaterThanOrEqual(0);
    expect(p[0]).toBeLessThanOrEqual(1);
  });
});

const haveData = existsSync(defaultDataDir);
const maybe = haveData ? describe : describe.skip;
maybe(`committed models/lgbm on the validation photos${haveData ? '' : ' (skipped: ../shared/data/cataract/train absent)'}`, () => {
  const training = manifest.training as { seed: number; split: { valid_fraction: number } };
  // describe.skip still runs this body: only list the photos when they exist.
  const { valid } = haveData
    ? stratifiedSplit(listLabelledImages(defaultDataDir), training.split.valid_fraction, training.seed)
    : { valid: [] };
  const labels = valid.map((x) => (x.label === 'cataract' ? 1 : 0));
  const model = loadModel(modelText);

  const evaluate = async (transform: (b: Buffer) => Promise<Buffer>) => {
    const rows = await mapLimit(valid, 4, async (x) => extractLgbmFeatures(await transform(await readFile(x.path))));
    const flat = new Float64Array(rows.length * model.numFeatures);
    rows.forEach((r, i) => flat.set(r, i * model.numFeatures));
    return binaryMetrics(model.predictMany(flat), labels, manifest.threshold);
  };

  const expectSame = (got: ReturnType<typeof binaryMetrics>, claimed: unknown) => {
    const c = claimed as ReturnType<typeof binaryMetrics>;
    expect(got.n).toBe(c.n);
    expect(got.confusion).toEqual(c.confusion);
    expect(got.accuracy).toBeCloseTo(c.accuracy, 12);
    expect(got.auc).toBeCloseTo(c.auc, 12);
  };

  test('reproduces the manifest validation metrics (photos as they are)', async () => {
    expectSame(await evaluate(async (b) => b), manifest.metrics!.validation);
  });

  test('reproduces the manifest metrics on the photos re-encoded at 256 px / q85', async () => {
    expectSame(await evaluate((b) => downscaleReencode(b, 256, 85)), manifest.metrics!.validation_reencoded_256);
  });
});
