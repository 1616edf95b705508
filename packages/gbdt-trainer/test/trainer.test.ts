import { train, InvalidDataError, InvalidParameterError } from '../src';
import { accuracy, separable, xor } from './helpers';

const quiet = { num_iterations: 60, learning_rate: 0.2, seed: 3 };

describe('train: learning', () => {
  test('learns a linearly separable problem', () => {
    const tr = separable(800, 1);
    const te = separable(400, 2);
    const b = train({ ...quiet, num_leaves: 8 }, tr);
    expect(accuracy(te.rows.map((r) => b.predict(r)), te.labels)).toBeGreaterThan(0.95);
  });

  test('learns XOR (needs interactions; a depth-1 model cannot)', () => {
    const tr = xor(1500, 1);
    const te = xor(500, 2);
    const deep = train({ ...quiet, num_leaves: 8 }, tr);
    expect(accuracy(te.rows.map((r) => deep.predict(r)), te.labels)).toBeGreaterThan(0.95);
    const stumps = train({ ...quiet, num_leaves: 2 }, tr);
    expect(accuracy(te.rows.map((r) => stumps.predict(r)), te.labels)).toBeLessThan(0.75);
  });

  test('NaN values: missing rows go to the side chosen by gain', () => {
    // label depends on whether x2 is missing: only learnable if NaN gets its own direction.
    const n = 1000;
    const rows: Float64Array[] = [];
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const missing = i % 3 === 0;
      rows.push(Float64Array.of(missing ? NaN : (i % 97) / 97, (i % 13) / 13));
      labels.push(missing ? 1 : 0);
    }
    const b = train({ num_iterations: 20, learning_rate: 0.3, num_leaves: 4 }, { rows, labels });
    expect(accuracy(rows.map((r) => b.predict(r)), labels)).toBe(1);
    const first = b.trees[0];
    // missing type NaN is bits 2-3 = 2 -> decision_type 8 (+2 when default left)
    expect(first.decisionType[0] & 0b1100).toBe(8);
  });

  test('NaN versus a single value is a split (all values left, NaN right)', () => {
    const rows = Array.from({ length: 200 }, (_, i) => Float64Array.of(i % 2 ? NaN : 7));
    const labels = rows.map((r) => (Number.isNaN(r[0]) ? 1 : 0));
    const b = train({ num_iterations: 10, learning_rate: 0.5, num_leaves: 2 }, { rows, labels });
    expect(b.trees[0].numLeaves).toBe(2);
    expect(b.trees[0].threshold[0]).toBe(1e300);
    expect(b.predict(Float64Array.of(NaN))).toBeGreaterThan(0.9);
    expect(b.predict(Float64Array.of(7))).toBeLessThan(0.1);
    expect(b.predict(Float64Array.of(1e6))).toBeLessThan(0.1);
  });

  test('regression (L2) fits a step function', () => {
    const rows = Array.from({ length: 400 }, (_, i) => Float64Array.of(i / 400));
    const labels = rows.map((r) => (r[0] < 0.5 ? 1 : 3));
    const b = train({ objective: 'regression', num_iterations: 50, learning_rate: 0.3, num_leaves: 4 }, { rows, labels });
    expect(b.predict(Float64Array.of(0.1))).toBeCloseTo(1, 2);
    expect(b.predict(Float64Array.of(0.9))).toBeCloseTo(3, 2);
    expect(b.toModelString()).toContain('\nobjective=regression\n');
  });
});

describe('train: determinism', () => {
  const data = xor(600, 5);
  const p = { num_iterations: 30, num_leaves: 8, bagging_fraction: 0.7, bagging_freq: 1, feature_fraction: 0.75 };

  test('same seed -> identical model text', () => {
    const a = train({ ...p, seed: 11 }, data).toModelString();
    const b = train({ ...p, seed: 11 }, data).toModelString();
    expect(a).toBe(b);
  });

  test('different seed with bagging -> different model', () => {
    const a = train({ ...p, seed: 11 }, data).toModelString();
    const b = train({ ...p, seed: 12 }, data).toModelString();
    expect(a).not.toBe(b);
  });

  test('without bagging or feature sampling the seed does not matter', () => {
    const q = { num_iterations: 20, num_leaves: 8 };
    expect(train({ ...q, seed: 1 }, data).trees.map((t) => t.leafValue)).toEqual(train({ ...q, seed: 2 }, data).trees.map((t) => t.leafValue));
  });
});

describe('train: early stopping and progress', () => {
  test('stops when the validation loss stops improving and keeps the best iteration', () => {
    // Pure-noise labels: validation loss bottoms out almost at once.
    const noisy = xor(400, 7);
    noisy.labels = noisy.labels.map((_, i) => ((i * 7919) % 13) % 2);
    const valid = xor(200, 8);
    valid.labels = valid.labels.map((_, i) => ((i * 104729) % 11) % 2);
    const events: number[] = [];
    const b = train({ num_iterations: 500, num_leaves: 16, min_data_in_leaf: 2, learning_rate: 0.3, early_stopping_rounds: 10 }, noisy, {
      valid,
      onProgress: (e) => {
        events.push(e.iteration);
        expect(Number.isFinite(e.validLoss)).toBe(true);
      },
    });
    expect(events.length).toBeLessThan(500);
    expect(events.length).toBe(b.bestIteration + 10);
    expect(b.trees.length).toBe(b.bestIteration);
    const best = Math.min(...b.history.validLoss);
    expect(b.history.validLoss[b.bestIteration - 1]).toBe(best);
  });

  test('progress reports the train loss going down', () => {
    const losses: number[] = [];
    train({ num_iterations: 15 }, separable(300, 1), { onProgress: (e) => losses.push(e.trainLoss) });
    expect(losses).toHaveLength(15);
    for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThanOrEqual(losses[i - 1] + 1e-12);
  });
});

describe('train: tree constraints', () => {
  const data = xor(2000, 9);

  test('num_leaves caps leaves per tree', () => {
    const b = train({ num_iterations: 10, num_leaves: 5, min_data_in_leaf: 1 }, data);
    for (const t of b.trees) expect(t.numLeaves).toBeLessThanOrEqual(5);
    expect(Math.max(...b.trees.map((t) => t.numLeaves))).toBe(5);
  });

  test('max_depth caps depth', () => {
    const b = train({ num_iterations: 10, num_leaves: 64, max_depth: 3, min_data_in_leaf: 1 }, data);
    for (const t of b.trees) {
      expect(t.maxDepth).toBeLessThanOrEqual(3);
      expect(t.numLeaves).toBeLessThanOrEqual(8);
    }
    expect(Math.max(...b.trees.map((t) => t.maxDepth))).toBe(3);
  });

  test('min_data_in_leaf: every leaf holds at least that many rows', () => {
    const b = train({ num_iterations: 10, num_leaves: 64, min_data_in_leaf: 150 }, data);
    for (const t of b.trees) for (let l = 0; l < t.numLeaves; l++) expect(t.leafCount[l]).toBeGreaterThanOrEqual(150);
  });
});

describe('train: bad input', () => {
  const ok = separable(50, 1);
  test('rejects unknown and out-of-range parameters', () => {
    expect(() => train({ num_leaves: 1 }, ok)).toThrow(InvalidParameterError);
    expect(() => train({ max_bin: 1000 }, ok)).toThrow(InvalidParameterError);
    expect(() => train({ bogus: 1 } as never, ok)).toThrow(/unknown parameter/);
    expect(() => train({ early_stopping_rounds: 5 }, ok)).toThrow(/validation set/);
  });
  test('rejects malformed data', () => {
    expect(() => train({}, { rows: [], labels: [] })).toThrow(InvalidDataError);
    expect(() => train({}, { rows: [[1, 2], [1]], labels: [0, 1] })).toThrow(/row 1 has 1 features/);
    expect(() => train({}, { rows: [[1], [2]], labels: [0, 2] })).toThrow(/labels 0 or 1/);
    expect(() => train({}, { rows: [[1], [Infinity]], labels: [0, 1] })).toThrow(/infinite/);
    expect(() => train({}, ok, { featureNames: ['a b', 'c', 'd'] })).toThrow(/whitespace/);
  });
});
