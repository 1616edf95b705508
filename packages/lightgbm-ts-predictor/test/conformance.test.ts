/**
 * Real LightGBM models with LightGBM's own predictions (../shared/conformance/lightgbm), checked
 * through the API and through the compiled CLI. Skipped, visibly, when ../shared is absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadModelFile, parseFeatureText } from '../src';
import { CONFORMANCE_DIR, parseOutput, runCli } from './helpers';

interface ConformanceCase {
  model: string;
  features: string;
  featuresFormat: 'tsv' | 'libsvm';
  skipFirstColumn: boolean;
  expected: string;
  expectedOutput: 'transformed' | 'raw';
  tolerance: number;
}

const present = existsSync(CONFORMANCE_DIR);
const cases = present
  ? readdirSync(CONFORMANCE_DIR)
      .filter((name) => existsSync(path.join(CONFORMANCE_DIR, name, 'case.json')))
      .sort()
  : [];

function load(name: string): { spec: ConformanceCase; dir: string; expected: number[][] } {
  const dir = path.join(CONFORMANCE_DIR, name);
  const spec = JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as ConformanceCase;
  const expected = readFileSync(path.join(dir, spec.expected), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.split('\t').map(Number));
  return { spec, dir, expected };
}

function expectWithin(actual: number[][], expected: number[][], tolerance: number): void {
  expect(actual).toHaveLength(expected.length);
  let worst = 0;
  actual.forEach((row, r) => {
    const want = expected[r] as number[];
    expect(row).toHaveLength(want.length);
    row.forEach((value, c) => {
      worst = Math.max(worst, Math.abs(value - (want[c] as number)));
    });
  });
  expect(worst).toBeLessThanOrEqual(tolerance);
}

const maybe = present && cases.length > 0 ? describe : describe.skip;

maybe(`LightGBM conformance cases (${present ? CONFORMANCE_DIR : 'skipped: ../shared/conformance/lightgbm absent'})`, () => {
  it('found the cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  // describe.each refuses an empty table, and skipped describes still run their bodies.
  if (cases.length === 0) return;
  describe.each(cases)('%s', (name) => {
    const { spec, dir, expected } = load(name);
    const modelPath = path.join(dir, spec.model);
    const featuresPath = path.join(dir, spec.features);

    it('API matches LightGBM within tolerance', () => {
      const model = loadModelFile(modelPath);
      const { rows, rowCount } = parseFeatureText(readFileSync(featuresPath, 'utf8'), {
        format: spec.featuresFormat,
        numFeatures: model.numFeatures,
        skipFirstColumn: spec.skipFirstColumn,
      });
      const predictor = model.createPredictor({ rawScore: spec.expectedOutput === 'raw' });
      const out = predictor.predictMany(rows);
      const k = predictor.numOutputs;
      const actual = Array.from({ length: rowCount }, (_, r) => Array.from(out.subarray(r * k, (r + 1) * k)));
      expectWithin(actual, expected, spec.tolerance);

      // Row-at-a-time must agree exactly with the batch.
      const one = new Float64Array(k);
      for (let r = 0; r < rowCount; r += 7) {
        predictor.predict(rows.subarray(r * model.numFeatures, (r + 1) * model.numFeatures), one);
        expect(Array.from(one)).toEqual(actual[r]);
      }
    });

    it('CLI matches LightGBM within tolerance', () => {
      const args = [modelPath, featuresPath, '--format', spec.featuresFormat];
      if (spec.skipFirstColumn) args.push('--skip-first-column');
      if (spec.expectedOutput === 'raw') args.push('--raw');
      const result = runCli(args);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expectWithin(parseOutput(result.stdout), expected, spec.tolerance);
    });
  });
});
