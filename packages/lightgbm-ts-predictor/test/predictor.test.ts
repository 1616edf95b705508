/**
 * Predictor API: iteration ranges, random forest averaging, batches, buffers, linear trees and
 * old (v2) files, on hand-made models with hand-computed expectations.
 */
import { loadModel, loadModelFile, PredictArgumentError } from '../src';
import { fixture, fixturePath, sigmoid, thrown } from './helpers';

describe('iterations', () => {
  // multiclass.v3.txt: iteration 0 / 1 leaves for row [-1, 1, 0]:
  //   class 0: 0.1 then 0.05; class 1: 0.3 then 0.2; class 2: 0.5 then -0.3
  const model = loadModel(fixture('multiclass.v3.txt'));
  const row = [-1, 1, 0];
  const raw = (options: { numIteration?: number; startIteration?: number }): number[] =>
    Array.from(model.createPredictor({ ...options, rawScore: true }).predict(row));

  it('knows its shape', () => {
    expect(model.numFeatures).toBe(3);
    expect(model.numClass).toBe(3);
    expect(model.numOutputs).toBe(3);
    expect(model.numTrees).toBe(6);
    expect(model.numIterations).toBe(2);
    expect(model.version).toBe('v3');
    expect(model.featureNames).toEqual(['f0', 'f1', 'f2']);
  });

  it('num_iteration limits the iterations used', () => {
    expect(raw({ numIteration: 1 })).toEqual([0.1, 0.3, 0.5]);
    expect(raw({ numIteration: 2 })).toEqual([0.1 + 0.05, 0.3 + 0.2, 0.5 - 0.3]);
  });

  it('num_iteration <= 0 or beyond the model means all iterations', () => {
    const all = [0.1 + 0.05, 0.3 + 0.2, 0.5 - 0.3];
    expect(raw({ numIteration: 0 })).toEqual(all);
    expect(raw({ numIteration: -1 })).toEqual(all);
    expect(raw({ numIteration: 99 })).toEqual(all);
  });

  it('start_iteration skips iterations and is clamped like LightGBM', () => {
    expect(raw({ startIteration: 1 })).toEqual([0.05, 0.2, -0.3]);
    expect(raw({ startIteration: 1, numIteration: 5 })).toEqual([0.05, 0.2, -0.3]);
    expect(raw({ startIteration: 2 })).toEqual([0, 0, 0]);
    expect(raw({ startIteration: -3, numIteration: 1 })).toEqual([0.1, 0.3, 0.5]);
  });

  it('rejects non-integer iteration options', () => {
    expect(thrown(() => model.createPredictor({ numIteration: 1.5 }))).toBeInstanceOf(PredictArgumentError);
    expect(thrown(() => model.createPredictor({ startIteration: NaN }))).toBeInstanceOf(PredictArgumentError);
  });
});

describe('random forest (average_output)', () => {
  // random-forest.v3.txt, row [0.5, -1]: tree0 f0 <= 0 ? 0.2 : 0.8 -> 0.8;
  // tree1 f0 <= 1 ? 0.4 : 1.0 -> 0.4; tree2 f1 <= 0 ? 0.3 : 0.9 -> 0.3.
  const model = loadModel(fixture('random-forest.v3.txt'));
  const row = [0.5, -1];

  it('divides the sum by the iterations used before the sigmoid', () => {
    expect(model.averageOutput).toBe(true);
    expect(model.predict(row)[0]).toBeCloseTo(sigmoid((0.8 + 0.4 + 0.3) / 3), 15);
    expect(model.createPredictor({ numIteration: 2 }).predict(row)[0]).toBeCloseTo(sigmoid((0.8 + 0.4) / 2), 15);
    expect(model.createPredictor({ numIteration: 1 }).predict(row)[0]).toBeCloseTo(sigmoid(0.8), 15);
  });

  it('raw scores are the undivided sums, as LightGBM PredictRaw returns them', () => {
    expect(model.createPredictor({ rawScore: true }).predict(row)[0]).toBeCloseTo(0.8 + 0.4 + 0.3, 15);
  });
});

describe('batches and buffers', () => {
  const model = loadModel(fixture('binary-sigmoid.v4.txt'));
  const rows = [0, 0, 1, 0, 0, 2, 1, 2];
  const raw = [-0.15, 0.85, -1.15, -0.15];

  it('predictMany over Float64Array, Float32Array and plain arrays gives the per-row results', () => {
    const predictor = model.createPredictor({ rawScore: true });
    for (const input of [Float64Array.from(rows), Float32Array.from(rows), rows]) {
      const out = predictor.predictMany(input);
      expect(out).toHaveLength(4);
      Array.from(out).forEach((v, i) => expect(v).toBeCloseTo(raw[i] as number, 15));
    }
  });

  it('writes into a caller buffer and returns it', () => {
    const predictor = model.createPredictor();
    const out = new Float64Array(4);
    expect(predictor.predictMany(Float64Array.from(rows), out)).toBe(out);
    expect(out[1]).toBeCloseTo(sigmoid(0.85, 1.5), 15);
    const one = new Float64Array(1);
    expect(predictor.predict([1, 0], one)).toBe(one);
    expect(one[0]).toBe(out[1]);
  });

  it('reads rows in place from a larger buffer (subarray) without copying', () => {
    const big = Float64Array.from(rows);
    const predictor = model.createPredictor({ rawScore: true });
    expect(predictor.predict(big.subarray(4, 6))[0]).toBeCloseTo(-1.15, 15);
  });

  it('rejects rows of the wrong width and short output buffers', () => {
    const predictor = model.createPredictor();
    expect(thrown(() => predictor.predict([1, 2, 3]))).toBeInstanceOf(PredictArgumentError);
    expect(thrown(() => predictor.predictMany(new Float64Array(5)))).toBeInstanceOf(PredictArgumentError);
    expect(thrown(() => predictor.predictMany(new Float64Array(4), new Float64Array(1)))).toBeInstanceOf(PredictArgumentError);
    expect(thrown(() => predictor.predict([1, 2], new Float64Array(0)))).toBeInstanceOf(PredictArgumentError);
  });

  it('an empty batch gives an empty result', () => {
    expect(model.predictMany(new Float64Array(0))).toHaveLength(0);
  });
});

describe('linear trees (is_linear=1)', () => {
  // linear.v4.txt tree 0: f0 <= 0 -> leaf 0 = 1 + 2*f1 - 0.5*f2 (fallback 0.25), else leaf 1 = -3 + 4*f2 (fallback 7)
  //               tree 1: single leaf = 0.5 + 10*f0 (fallback 100)
  const model = loadModelFile(fixturePath('linear.v4.txt'));
  const p = (row: number[]): number => model.predict(row)[0] as number;

  it('leaf output is leaf_const + sum(coeff * feature)', () => {
    expect(p([0, 1, 2])).toBe(1 + 2 * 1 - 0.5 * 2 + (0.5 + 10 * 0));
    expect(p([1, 1, 2])).toBe(-3 + 4 * 2 + (0.5 + 10 * 1));
  });

  it('falls back to leaf_value when a feature of the leaf model is NaN', () => {
    expect(p([-1, NaN, 2])).toBe(0.25 + (0.5 - 10));
    expect(p([1, NaN, NaN])).toBe(7 + 10.5);
    // NaN in f0 routes as 0 (left) and makes the single-leaf tree fall back to 100.
    expect(p([NaN, 1, 2])).toBe(2 + 100);
  });
});

describe('v2 files', () => {
  // regression.v2.txt: no tree_sizes, no num_tree_per_iteration; tree 0: f0 <= 1.5 ? (f1 <= -2 ? -1 : 2) : 3,
  // written with shrinkage=0.1 (already applied, must not be applied again); tree 1: single leaf 0.5.
  const model = loadModel(fixture('regression.v2.txt'));

  it('loads with defaults for the missing header lines', () => {
    expect(model.version).toBe('v2');
    expect(model.numTreePerIteration).toBe(1);
    expect(model.numTrees).toBe(2);
  });

  it('predicts, with single-leaf trees adding their value', () => {
    expect(model.predict([0, 0])[0]).toBe(2 + 0.5);
    expect(model.predict([2, 0])[0]).toBe(3 + 0.5);
    expect(model.predict([0, -5])[0]).toBe(-1 + 0.5);
    expect(model.predict([NaN, NaN])[0]).toBe(2 + 0.5);
  });
});
