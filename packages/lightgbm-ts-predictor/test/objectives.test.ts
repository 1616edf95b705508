/**
 * Output transforms per objective (LightGBM ConvertOutput), hand-computed from the raw sums.
 *
 * binary-sigmoid.v4.txt has two stumps: f0 <= 0.5 ? -0.4 : 0.6 and f1 <= 1.5 ? 0.25 : -0.75,
 * so the raw scores of ROWS are -0.15, 0.85, -1.15 and -0.15. Other single-output objectives
 * reuse the same trees with the objective line swapped.
 */
import { loadModel, ModelFormatError, UnsupportedModelError } from '../src';
import { fixture, lineOf, sigmoid, thrown } from './helpers';

const BINARY = fixture('binary-sigmoid.v4.txt');
const ROWS = [
  [0, 0],
  [1, 0],
  [0, 2],
  [1, 2],
];
const RAW = [-0.4 + 0.25, 0.6 + 0.25, -0.4 - 0.75, 0.6 - 0.75];

function withObjective(text: string, objective: string | undefined): string {
  const line = text.split('\n').find((l) => l.startsWith('objective=')) as string;
  return objective === undefined ? text.replace(`${line}\n`, '') : text.replace(line, `objective=${objective}`);
}

function predictAll(text: string, rawScore = false): number[] {
  const predictor = loadModel(text).createPredictor({ rawScore });
  return ROWS.map((row) => predictor.predict(row)[0] as number);
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i] as number, 14));
}

describe('single-output objectives', () => {
  it('raw scores are the tree sums', () => {
    expectClose(predictAll(BINARY, true), RAW);
  });

  it('binary applies the sigmoid with its factor (sigmoid:1.5)', () => {
    expectClose(predictAll(BINARY), RAW.map((x) => 1 / (1 + Math.exp(-1.5 * x))));
    expect(predictAll(BINARY)[0]).not.toBeCloseTo(sigmoid(RAW[0] as number), 3);
  });

  it('cross_entropy applies a plain sigmoid', () => {
    expectClose(predictAll(withObjective(BINARY, 'cross_entropy')), RAW.map((x) => 1 / (1 + Math.exp(-x))));
  });

  it('cross_entropy_lambda applies log1p(exp(x))', () => {
    expectClose(predictAll(withObjective(BINARY, 'cross_entropy_lambda')), RAW.map((x) => Math.log(1 + Math.exp(x))));
  });

  it.each(['poisson', 'gamma', 'tweedie'])('%s applies exp', (name) => {
    expectClose(predictAll(withObjective(BINARY, name)), RAW.map(Math.exp));
  });

  it.each(['regression sqrt', 'regression_l1 sqrt', 'quantile sqrt', 'fair sqrt', 'mape sqrt'])(
    '%s squares with the sign kept',
    (objective) => {
      expectClose(predictAll(withObjective(BINARY, objective)), RAW.map((x) => Math.sign(x) * x * x));
      // -0.15 -> -0.0225: the sign survives.
      expect(predictAll(withObjective(BINARY, objective))[0]).toBeCloseTo(-0.0225, 14);
    },
  );

  it.each(['regression', 'regression_l1', 'huber', 'huber sqrt', 'fair', 'quantile', 'mape', 'lambdarank', 'rank_xendcg', 'custom'])(
    '%s is the identity',
    (objective) => {
      expectClose(predictAll(withObjective(BINARY, objective)), RAW);
    },
  );

  it('a model without an objective= line (custom objective) predicts raw scores', () => {
    const model = loadModel(withObjective(BINARY, undefined));
    expect(model.objective.name).toBe('none');
    expectClose(predictAll(withObjective(BINARY, undefined)), RAW);
  });

  it('poisson ignores a sqrt flag (exp wins, as in LightGBM)', () => {
    expectClose(predictAll(withObjective(BINARY, 'poisson sqrt')), RAW.map(Math.exp));
  });
});

/**
 * multiclass.v3.txt: 3 classes x 2 iterations, tree (iteration, class k) splits feature k at 0:
 *   class 0: 0.1 | 0.9 then 0.05 | -0.15; class 1: -0.2 | 0.3 then 0.4 | 0.2; class 2: 0.5 | -0.5 then -0.3 | 0.7
 */
describe('multiclass objectives', () => {
  const MULTI = fixture('multiclass.v3.txt');
  const row = [-1, 1, 0]; // class 0 left, class 1 right, class 2 left (0 <= 0)
  const raw = [0.1 + 0.05, 0.3 + 0.2, 0.5 - 0.3];

  it('multiclass applies softmax across the classes', () => {
    const out = loadModel(MULTI).predict(row);
    const e = raw.map(Math.exp);
    const sum = e.reduce((a, b) => a + b, 0);
    expectClose(Array.from(out), e.map((v) => v / sum));
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
  });

  it('raw output keeps one score per class, trees interleaved by num_tree_per_iteration', () => {
    expectClose(Array.from(loadModel(MULTI).createPredictor({ rawScore: true }).predict(row)), raw);
  });

  it('multiclassova applies a sigmoid with its factor to each class', () => {
    const text = withObjective(MULTI, 'multiclassova num_class:3 sigmoid:2');
    expectClose(Array.from(loadModel(text).predict(row)), raw.map((x) => 1 / (1 + Math.exp(-2 * x))));
  });

  it('the objective must agree with num_class / num_tree_per_iteration', () => {
    const text = withObjective(MULTI, 'multiclass num_class:4');
    const err = thrown(() => loadModel(text));
    expect(err).toBeInstanceOf(ModelFormatError);
    expect((err as ModelFormatError).line).toBe(lineOf(text, 'objective='));
    const binaryOnMulti = thrown(() => loadModel(withObjective(MULTI, 'binary sigmoid:1')));
    expect(binaryOnMulti).toBeInstanceOf(ModelFormatError);
  });
});

describe('objective line errors', () => {
  it.each([
    ['binary', /sigmoid/],
    ['binary sigmoid:0', /sigmoid/],
    ['binary sigmoid:abc', /not a number/],
    ['multiclass', /num_class/],
  ])('"%s" is rejected with its line', (objective, message) => {
    const text = withObjective(BINARY, objective);
    const err = thrown(() => loadModel(text));
    expect(err).toBeInstanceOf(ModelFormatError);
    expect(err.message).toMatch(message);
    expect((err as ModelFormatError).line).toBe(lineOf(text, 'objective='));
  });

  it('an unknown objective is refused rather than guessed', () => {
    const text = withObjective(BINARY, 'survival_cox');
    const err = thrown(() => loadModel(text));
    expect(err).toBeInstanceOf(UnsupportedModelError);
    expect((err as UnsupportedModelError).line).toBe(lineOf(text, 'objective='));
  });
});
