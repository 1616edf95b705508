/** The --publish rule and the comparison on shared folds it reads. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repeatedGroupedFolds } from '../src/cv/folds';
import type { PhotoFolds } from '../src/cv/photo-folds';
import { compareOnFolds, servingHeldOut, type ServingVersion } from '../src/retrain/comparison';
import { DEFAULT_TOLERANCE, notWorse } from '../src/retrain/not-worse';

describe('not worse than the serving version', () => {
  const serving = { accuracy: 0.88, auc: 0.95 };

  test('equal, better, or within the tolerance: not worse', () => {
    expect(notWorse(serving, serving).notWorse).toBe(true);
    expect(notWorse({ accuracy: 0.9, auc: 0.96 }, serving).notWorse).toBe(true);
    expect(notWorse({ accuracy: 0.88 - DEFAULT_TOLERANCE.accuracy, auc: 0.95 - DEFAULT_TOLERANCE.auc }, serving).notWorse).toBe(true);
  });

  test('either figure below its floor: worse, and the line names it', () => {
    const acc = notWorse({ accuracy: 0.869, auc: 0.99 }, serving);
    expect(acc.notWorse).toBe(false);
    expect(acc.checks).toEqual(['accuracy: candidate 0.8690 vs serving 0.8800 (floor 0.8700): worse', 'auc: candidate 0.9900 vs serving 0.9500 (floor 0.9400): ok']);
    expect(notWorse({ accuracy: 0.95, auc: 0.939 }, serving).notWorse).toBe(false);
  });

  test('a negative tolerance demands an improvement; a figure that is not a number is never not worse', () => {
    expect(notWorse(serving, serving, { accuracy: -0.01, auc: 0 }).notWorse).toBe(false);
    expect(notWorse({ accuracy: 0.89, auc: 0.95 }, serving, { accuracy: -0.01, auc: 0 }).notWorse).toBe(true);
    expect(notWorse({ accuracy: 0.9, auc: NaN }, serving).notWorse).toBe(false);
    expect(notWorse({ accuracy: 0.9, auc: 0.96 }, { accuracy: 0.88, auc: NaN }).notWorse).toBe(false);
  });

  test('the rule is stated with its tolerances', () => {
    expect(notWorse(serving, serving, { accuracy: 0.02, auc: 0.005 }).rule).toBe('not worse = mean held-out accuracy >= serving\'s - 0.02 and mean held-out ROC-AUC >= serving\'s - 0.005, over the same folds');
  });
});

describe('comparison on the same folds', () => {
  // 8 photos, 4 per class, each its own group; 2 folds x 2 repeats.
  const labels = Int32Array.from([1, 1, 1, 1, 0, 0, 0, 0]);
  const plan = repeatedGroupedFolds(labels, [0, 1, 2, 3, 4, 5, 6, 7], 2, 2, 3);
  const pf = { images: [], labels, plan, duplicates: { group: [], groups: 8, linked: [], maxDistance: 10 } } as unknown as PhotoFolds;
  const serving = { version: 'lgbm-old', source: 'default' } as ServingVersion;

  test('figures per fold for both, the paired difference, and the verdict', () => {
    const perfect = [0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1];
    const oneWrong = [0.9, 0.8, 0.7, 0.4, 0.4, 0.3, 0.2, 0.1]; // photo 3 missed
    const c = compareOnFolds(pf, [perfect, perfect], serving, { p: Float64Array.from(oneWrong), outOfFold: 6, predicted: 2 }, 0.5, DEFAULT_TOLERANCE);
    expect(c.candidate.accuracy).toEqual({ mean: 1, sd: 0, min: 1, max: 1 });
    // photo 3 is held out once per repeat: one fold of each repeat at 3/4
    expect(c.serving.accuracy.mean).toBeCloseTo(0.875, 10);
    expect(c.serving.accuracy.min).toBeCloseTo(0.75, 10);
    expect(c.difference.accuracy.mean).toBeCloseTo(0.125, 10);
    expect(c.not_worse).toBe(true);
    expect(c.serving_predictions).toEqual({ out_of_fold: 6, by_model_files: 2 });
    const reverse = compareOnFolds(pf, [oneWrong, oneWrong], serving, { p: Float64Array.from(perfect), outOfFold: 8, predicted: 0 }, 0.5, DEFAULT_TOLERANCE);
    expect(reverse.not_worse).toBe(false);
    expect(reverse.checks[0]).toMatch(/accuracy: .*: worse/);
  });
});

describe("the serving version's held-out predictions", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cataract-serving-'));
    const entry = (file: string, label: string, p: number) => ({ file, label, group: 0, folds: [0], raw: [p], calibrated: [p], raw_reencoded_256: [p], calibrated_reencoded_256: [p], p });
    writeFileSync(
      path.join(dir, 'oof-predictions.json'),
      JSON.stringify({ model: 'lgbm-old', cross_validation: { k: 2, repeats: 1, seed: 1 }, predictions: [entry('cataract/a.jpg', 'cataract', 0.7), entry('reviewed/2026-12-07/r1.jpg', 'normal', 0.2)] }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const servingTrainedOn = (dataDir: string): ServingVersion =>
    ({
      version: 'lgbm-old',
      source: 'default',
      verified: {
        location: { dir },
        manifest: { files: { 'oof-predictions.json': 'x' }, training: { data_dir: dataDir }, calibration: { method: 'platt', a: 1, b: 0 } },
      },
    }) as unknown as ServingVersion;
  const photos = (dataDir: string) =>
    ({
      images: [
        { path: path.join(dataDir, 'cataract/a.jpg'), label: 'cataract' },
        { path: path.join(dataDir, 'cataract/b.jpg'), label: 'cataract' },
        { path: '/c/2026-12-07/r1.jpg', label: 'normal', name: 'reviewed/2026-12-07/r1.jpg' },
        { path: '/c/2026-12-07/r2.jpg', label: 'normal', name: 'reviewed/2026-12-07/r2.jpg' },
      ],
    }) as unknown as PhotoFolds;

  test('its own out-of-fold prediction where it has one, its model files for the rest', async () => {
    const asked: number[][] = [];
    const sp = await servingHeldOut(servingTrainedOn('/data/train'), photos('/data/train'), '/data/train', async (_v, idx) => {
      asked.push(idx);
      return idx.map(() => 0.5);
    });
    expect(asked).toEqual([[1, 3]]);
    expect(Array.from(sp.p)).toEqual([0.7, 0.5, 0.2, 0.5]);
    expect({ outOfFold: sp.outOfFold, predicted: sp.predicted }).toEqual({ outOfFold: 2, predicted: 2 });
  });

  test('trained on another folder: its out-of-fold file says nothing about these training photos (same names, other photos)', async () => {
    const asked: number[][] = [];
    await servingHeldOut(servingTrainedOn('/elsewhere'), photos('/data/train'), '/data/train', async (_v, idx) => {
      asked.push(idx);
      return idx.map(() => 0.5);
    });
    expect(asked).toEqual([[0, 1, 3]]);
  });
});
