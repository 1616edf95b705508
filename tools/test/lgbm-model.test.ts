/**
 * The committed default lgbm model (models/lgbm): integrity, and that the cross-validated figures
 * its manifest and card report are those of its out-of-fold predictions.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LightgbmManifestSchema } from '@cataract/contracts';
import { assertFeatureSet, LGBM_FEATURE_SET } from '@cataract/imaging';
import { defaultVersionDir } from '@cataract/model-store';
import { loadModel } from 'lightgbm-ts-predictor';
import { repoRoot, sha256File } from '../src/common';
import { describeCommittedCv } from './support/committed-cv';

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

describeCommittedCv(dir);
