import { createRng } from '@cataract/gbdt-trainer';
import { crossValidate, type TrainRow } from '../src/lgbm/cross-validate';

/** Photos with a noisy linear signal; each photo also has 2 jittered "augmented" rows. */
function synthetic(nPhotos: number): { rows: TrainRow[]; fold: number[] } {
  const rng = createRng(5);
  const rows: TrainRow[] = [];
  const fold: number[] = [];
  for (let p = 0; p < nPhotos; p++) {
    const x = rng() * 2 - 1;
    const label = (x + (rng() - 0.5) * 0.6 > 0 ? 1 : 0) as 0 | 1;
    fold.push(p % 4);
    for (let k = 0; k < 3; k++) rows.push({ photo: p, original: k === 0, label, features: Float64Array.of(x + (k ? (rng() - 0.5) * 0.05 : 0), rng()) });
  }
  return { rows, fold };
}

test('crossValidate picks the iteration with the lowest mean held-out logloss and scores out-of-fold', () => {
  const { rows, fold } = synthetic(240);
  const logs: string[] = [];
  const cv = crossValidate(rows, fold, { num_leaves: 8, learning_rate: 0.3, min_data_in_leaf: 5, seed: 1 }, 60, ['x', 'noise'], (m) => logs.push(m));
  expect(cv.folds).toBe(4);
  expect(logs).toHaveLength(4);
  expect(cv.curve).toHaveLength(60);
  expect(cv.bestLoss).toBe(Math.min(...cv.curve));
  expect(cv.curve[cv.bestIteration - 1]).toBe(cv.bestLoss);
  // Overfitting with a high learning rate: the best iteration is well before the cap.
  expect(cv.bestIteration).toBeLessThan(60);
  expect(cv.original.n).toBe(240);
  expect(cv.augmented.n).toBe(480);
  expect(cv.original.accuracy).toBeGreaterThan(0.75);
});

test('crossValidate returns the per-photo out-of-fold predictions behind its metrics', () => {
  const { rows, fold } = synthetic(120);
  const cv = crossValidate(rows, fold, { num_leaves: 8, learning_rate: 0.3, min_data_in_leaf: 5, seed: 1 }, 30, ['x', 'noise'], () => undefined);
  // One entry per original photo, in photo order, with its own label.
  expect(cv.outOfFold.map((x) => x.photo)).toEqual(Array.from({ length: 120 }, (_, p) => p));
  cv.outOfFold.forEach((x) => expect(x.label).toBe(rows.find((r) => r.photo === x.photo && r.original)!.label));
  for (const x of cv.outOfFold) {
    expect(x.p).toBeGreaterThan(0);
    expect(x.p).toBeLessThan(1);
  }
  // They are the predictions the out-of-fold metrics were computed from.
  const right = cv.outOfFold.filter((x) => (x.p >= 0.5 ? 1 : 0) === x.label).length;
  expect(right / 120).toBeCloseTo(cv.original.accuracy, 12);
  expect(cv.original.confusion.tp + cv.original.confusion.fn).toBe(cv.outOfFold.filter((x) => x.label === 1).length);
});
