/**
 * Random forests (`average_output`) across LightGBM versions: LightGBM 4.7.0's own predictions for
 * two RF models (test/fixtures/lightgbm-4.7.0, made by its make.py), and the pre-2.2.3 rule for
 * v2 files (plain average, no transform) on the same trees and on a hand-made file.
 */
import { loadModel, parseFeatureText } from '../src';
import { fixture, fixturePath, parseOutput, runCli, sigmoid } from './helpers';

const DIR = 'lightgbm-4.7.0';
const ITERATIONS = 12;

function table(name: string): number[][] {
  return parseOutput(fixture(`${DIR}/${name}`));
}

function predictAll(modelText: string, options: { rawScore?: boolean; averageOutputTransform?: boolean } = {}): number[][] {
  const model = loadModel(modelText);
  const { rows, rowCount } = parseFeatureText(fixture(`${DIR}/iris-rows.tsv`), { format: 'tsv', numFeatures: model.numFeatures });
  const predictor = model.createPredictor(options);
  const out = predictor.predictMany(rows);
  const k = predictor.numOutputs;
  return Array.from({ length: rowCount }, (_, r) => Array.from(out.subarray(r * k, (r + 1) * k)));
}

function worstDifference(actual: number[][], expected: number[][]): number {
  expect(actual).toHaveLength(expected.length);
  let worst = 0;
  actual.forEach((row, r) => {
    expect(row).toHaveLength((expected[r] as number[]).length);
    row.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - ((expected[r] as number[])[c] as number)))));
  });
  return worst;
}

const asV2 = (text: string): string => text.replace(/^version=v4$/m, 'version=v2');

describe.each(['rf-binary', 'rf-multiclass'])('LightGBM 4.7.0 random forest %s (v4 file)', (name) => {
  const text = fixture(`${DIR}/${name}.v4.txt`);
  const expected = table(`${name}-expected.tsv`);
  const expectedRaw = table(`${name}-expected-raw.tsv`);

  it('predictions match LightGBM: average, then the objective transform', () => {
    expect(worstDifference(predictAll(text), expected)).toBeLessThan(1e-12);
  });

  it('raw scores match LightGBM: the undivided sums', () => {
    expect(worstDifference(predictAll(text, { rawScore: true }), expectedRaw)).toBeLessThan(1e-9);
  });

  it('the same trees in a v2 file give the plain average, as LightGBM before 2.2.3 did', () => {
    const plain = expectedRaw.map((row) => row.map((v) => v / ITERATIONS));
    expect(worstDifference(predictAll(asV2(text)), plain)).toBeLessThan(1e-12);
    // and differ from the transformed answer, so the rule is what decides
    expect(worstDifference(predictAll(asV2(text)), expected)).toBeGreaterThan(0.1);
  });

  it('averageOutputTransform: true restores the 2.2.3+ answer for a v2 file', () => {
    expect(worstDifference(predictAll(asV2(text), { averageOutputTransform: true }), expected)).toBeLessThan(1e-12);
  });

  it('averageOutputTransform: false gives the plain average for a v4 file', () => {
    const plain = expectedRaw.map((row) => row.map((v) => v / ITERATIONS));
    expect(worstDifference(predictAll(text, { averageOutputTransform: false }), plain)).toBeLessThan(1e-12);
  });
});

describe('hand-made random forest, v2 and unversioned', () => {
  // random-forest.v2.txt, row [0.5, -1]: leaves 0.8, 0.4, 0.3 (see predictor.test.ts)
  const v2 = fixture('random-forest.v2.txt');
  const row = [0.5, -1];

  it('v2: the plain average of the trees, no sigmoid', () => {
    const model = loadModel(v2);
    expect(model.version).toBe('v2');
    expect(model.predict(row)[0]).toBeCloseTo((0.8 + 0.4 + 0.3) / 3, 15);
    expect(model.createPredictor({ numIteration: 2 }).predict(row)[0]).toBeCloseTo((0.8 + 0.4) / 2, 15);
  });

  it('no version= line (written before v2 existed): the plain average too', () => {
    const model = loadModel(v2.replace(/^version=v2\n/m, ''));
    expect(model.version).toBeUndefined();
    expect(model.predict(row)[0]).toBeCloseTo(0.5, 15);
  });

  it('a model without average_output is transformed whatever its version', () => {
    const model = loadModel(v2.replace(/^average_output\n/m, ''));
    expect(model.predict(row)[0]).toBeCloseTo(sigmoid(0.8 + 0.4 + 0.3), 15);
  });

  it('CLI: default plain average for v2, the flags choose either way, both at once is a usage error', () => {
    const rows = `${row.join('\t')}\n`;
    const base = [fixturePath('random-forest.v2.txt'), '-', '--format', 'tsv'];
    const plain = runCli(base, rows);
    expect(plain.status).toBe(0);
    expect(parseOutput(plain.stdout)[0]?.[0]).toBeCloseTo(0.5, 15);
    const on = runCli([...base, '--average-output-transform'], rows);
    expect(parseOutput(on.stdout)[0]?.[0]).toBeCloseTo(sigmoid(0.5), 15);
    const v3 = runCli([fixturePath('random-forest.v3.txt'), '-', '--format', 'tsv', '--no-average-output-transform'], rows);
    expect(parseOutput(v3.stdout)[0]?.[0]).toBeCloseTo(0.5, 15);
    const both = runCli([...base, '--average-output-transform', '--no-average-output-transform'], rows);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/exclude each other/);
  });
});
