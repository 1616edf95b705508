/**
 * @jest-environment ./packages/keras-onnx/test/support/onnx-environment.js
 */
/** The clip head: L-BFGS logistic regression, standardisation folding, grouped CV folds, ONNX export. */
import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder, decodeModel, encodeModel } from '@cataract/keras-onnx';
import { createRng } from '@cataract/gbdt-trainer';
import { minimizeLbfgs } from '../src/clip/lbfgs';
import { fitLogisticRegression, foldStandardizer, predictProba, type Matrix } from '../src/clip/logistic-regression';
import { appendSoftmaxHead } from '../src/clip/export-model';

/** Two overlapping Gaussian-ish classes in d dims with very different feature scales. */
function synthetic(n: number, d: number, seed: number): { x: Matrix; y: Int32Array } {
  const rng = createRng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rng() + 1e-12)) * Math.cos(2 * Math.PI * rng());
  const x: Matrix = { data: new Float32Array(n * d), rows: n, cols: d };
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let j = 0; j < d; j++) x.data[i * d + j] = (gauss() + (j < 3 ? (y[i] ? 1 : -1) : 0)) * (j + 1) * 10 + 5;
  }
  return { x, y };
}

describe('minimizeLbfgs', () => {
  it('finds the minimum of an ill-conditioned quadratic', () => {
    const scales = [1, 10, 100, 1000];
    const target = [1, -2, 3, -4];
    const f = (x: Float64Array, g: Float64Array) => {
      let v = 0;
      for (let i = 0; i < 4; i++) {
        const r = x[i] - target[i];
        v += 0.5 * scales[i] * r * r;
        g[i] = scales[i] * r;
      }
      return v;
    };
    const res = minimizeLbfgs(f, new Float64Array(4), { gradientTolerance: 1e-9, maxIterations: 200 });
    expect(res.converged).toBe(true);
    res.x.forEach((v, i) => expect(v).toBeCloseTo(target[i], 6));
  });
});

describe('fitLogisticRegression', () => {
  const { x, y } = synthetic(400, 8, 1);
  const rows = Array.from({ length: 400 }, (_, i) => i);

  it('converges to a stationary point of the regularised objective (finite-difference gradient ~ 0)', () => {
    const l2 = 0.01;
    const fit = fitLogisticRegression(x, y, rows, { l2 });
    expect(fit.converged).toBe(true);
    // Objective recomputed independently at the solution and at small perturbations of one weight.
    const objective = (w: Float64Array, b: number) => {
      const p = predictProba({ ...fit.model, weights: w, bias: b }, x);
      let loss = 0;
      p.forEach((q, i) => (loss -= y[i] ? Math.log(q) : Math.log(1 - q)));
      return loss / p.length + 0.5 * l2 * w.reduce((a, v) => a + v * v, 0);
    };
    const w = fit.model.weights;
    for (const j of [0, 3, 7]) {
      const h = 1e-4;
      const plus = Float64Array.from(w);
      const minus = Float64Array.from(w);
      plus[j] += h;
      minus[j] -= h;
      expect(Math.abs((objective(plus, fit.model.bias) - objective(minus, fit.model.bias)) / (2 * h))).toBeLessThan(1e-5);
    }
    expect(Math.abs(objective(w, fit.model.bias) - fit.objective)).toBeLessThan(1e-9);
  });

  it('learns the informative features and separates the classes', () => {
    const fit = fitLogisticRegression(x, y, rows, { l2: 0.01 });
    const p = predictProba(fit.model, x);
    const acc = p.reduce((a, q, i) => a + ((q >= 0.5 ? 1 : 0) === y[i] ? 1 : 0), 0) / p.length;
    expect(acc).toBeGreaterThan(0.9);
    const w = Array.from(fit.model.weights, Math.abs);
    expect(Math.min(...w.slice(0, 3))).toBeGreaterThan(Math.max(...w.slice(3)));
  });

  it('shrinks weights as the L2 penalty grows', () => {
    const norm = (l2: number) => Math.hypot(...fitLogisticRegression(x, y, rows, { l2 }).model.weights);
    expect(norm(1)).toBeLessThan(norm(0.1));
    expect(norm(0.1)).toBeLessThan(norm(0.001));
  });

  it('folds the standardisation into raw-feature weights without changing predictions', () => {
    const fit = fitLogisticRegression(x, y, rows, { l2: 0.01 });
    const { weights, bias } = foldStandardizer(fit.model);
    const p = predictProba(fit.model, x);
    for (let i = 0; i < 20; i++) {
      let z = bias;
      for (let j = 0; j < x.cols; j++) z += weights[j] * x.data[i * x.cols + j];
      expect(1 / (1 + Math.exp(-z))).toBeCloseTo(p[i], 5);
    }
  });

  it('is deterministic', () => {
    const a = fitLogisticRegression(x, y, rows, { l2: 0.03 });
    const b = fitLogisticRegression(x, y, rows, { l2: 0.03 });
    expect(Array.from(a.model.weights)).toEqual(Array.from(b.model.weights));
  });
});

describe('appendSoftmaxHead', () => {
  /** A stand-in backbone: input [N, 3] -> Identity -> embedding [N, 3]. */
  const tinyBackbone = () => {
    const g = new OnnxGraphBuilder();
    g.addInput('image', ['N', 3]);
    g.op('Identity', ['image'], 'embedding');
    g.addOutput('embedding', ['N', 3]);
    return encodeModel(g.build({ producerName: 'test' }));
  };

  it('outputs [N, 2] softmax probabilities with P(labels[1]) = sigmoid(w.x + b)', async () => {
    const head = { weights: Float32Array.from([0.5, -1, 2]), bias: -0.25 };
    const bytes = appendSoftmaxHead(tinyBackbone(), head, { embeddingOutput: 'embedding', outputName: 'probabilities', producerName: 'test', docString: '' });
    const model = decodeModel(bytes);
    expect(model.graph!.output!.map((o) => o.name)).toEqual(['probabilities']);
    const session = await ort.InferenceSession.create(bytes);
    try {
      const x = Float32Array.from([1, 2, 3, -1, 0, 0.5]);
      const out = (await session.run({ image: new ort.Tensor('float32', x, [2, 3]) })).probabilities;
      expect(out.dims).toEqual([2, 2]);
      const p = out.data as Float32Array;
      for (let i = 0; i < 2; i++) {
        const z = head.bias + head.weights.reduce((a, w, j) => a + w * x[i * 3 + j], 0);
        expect(p[i * 2 + 1]).toBeCloseTo(1 / (1 + Math.exp(-z)), 6);
        expect(p[i * 2] + p[i * 2 + 1]).toBeCloseTo(1, 6);
      }
    } finally {
      await session.release();
    }
  });

  it('refuses a head whose width does not match the embedding', () => {
    expect(() =>
      appendSoftmaxHead(tinyBackbone(), { weights: new Float32Array(4), bias: 0 }, { embeddingOutput: 'embedding', outputName: 'probabilities', producerName: 't', docString: '' }),
    ).toThrow(/head expects \[N, 4\]/);
  });
});
