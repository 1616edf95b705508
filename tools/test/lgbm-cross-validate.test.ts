import { createRng } from '@cataract/gbdt-trainer';
import { repeatedGroupedFolds } from '../src/cv/folds';
import { crossValidate, type TrainRow } from '../src/lgbm/cross-validate';

/** Photos with a noisy linear signal; each photo also has 2 jittered "augmented" rows. */
function synthetic(nPhotos: number) {
  const rng = createRng(5);
  const rows: TrainRow[] = [];
  const original: Float64Array[] = [];
  const reencoded: Float64Array[] = [];
  const labels: number[] = [];
  for (let p = 0; p < nPhotos; p++) {
    const x = rng() * 2 - 1;
    const label = (x + (rng() - 0.5) * 0.6 > 0 ? 1 : 0) as 0 | 1;
    labels.push(label);
    original.push(Float64Array.of(x, rng()));
    reencoded.push(Float64Array.of(x + 0.01, rng()));
    rows.push({ photo: p, label, features: original[p] });
    for (let k = 0; k < 2; k++) rows.push({ photo: p, label, features: Float64Array.of(x + (rng() - 0.5) * 0.05, rng()) });
  }
  return { rows, photos: { original, reencoded, labels }, groups: labels.map((_, i) => i) };
}

test('crossValidate picks the iteration with the lowest mean held-out logloss over all folds of all repeats', () => {
  const { rows, photos, groups } = synthetic(200);
  const plan = repeatedGroupedFolds(photos.labels, groups, 4, 2, 7);
  const logs: string[] = [];
  const cv = crossValidate(rows, photos, plan, { num_leaves: 8, learning_rate: 0.3, min_data_in_leaf: 5, seed: 1 }, 60, ['x', 'noise'], (m) => logs.push(m));
  expect(logs).toHaveLength(8);
  expect(cv.curve).toHaveLength(60);
  expect(cv.bestLoss).toBe(Math.min(...cv.curve));
  expect(cv.curve[cv.bestIteration - 1]).toBe(cv.bestLoss);
  // Overfitting with a high learning rate: the best iteration is well before the cap.
  expect(cv.bestIteration).toBeLessThan(60);
  // Every photo scored out of fold in every repeat, plain and re-encoded.
  expect(cv.raw).toHaveLength(2);
  expect(cv.rawReencoded).toHaveLength(2);
  for (const r of [...cv.raw, ...cv.rawReencoded]) {
    expect(r).toHaveLength(200);
    expect(Math.min(...r)).toBeGreaterThan(0);
    expect(Math.max(...r)).toBeLessThan(1);
  }
  const right = cv.raw[0].filter((p, i) => (p >= 0.5 ? 1 : 0) === photos.labels[i]).length;
  expect(right / 200).toBeGreaterThan(0.75);
  // The repeats differ (other folds), so the out-of-fold predictions are not the same numbers.
  expect(Array.from(cv.raw[0])).not.toEqual(Array.from(cv.raw[1]));
});
