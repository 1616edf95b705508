/**
 * The lgbm-predict CLI, spawned from the committed bin (bin/lgbm-predict.js -> dist/cli.js) on
 * the hand-made fixtures: formats, options, output precision and exit codes.
 */
import { loadModelFile } from '../src';
import { fixturePath, parseOutput, runCli, sigmoid } from './helpers';

const BINARY = fixturePath('binary-sigmoid.v4.txt');
const MULTI = fixturePath('multiclass.v3.txt');

describe('lgbm-predict', () => {
  it('prints one transformed value per tsv row at full double precision', () => {
    const result = runCli([BINARY, fixturePath('binary-rows.tsv'), '--format', 'tsv']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const model = loadModelFile(BINARY);
    const api = [
      [0, 0],
      [1, 0],
      [0, 2],
      [1, 2],
    ].map((row) => model.predict(row)[0] as number);
    // Round-trip exact: the printed text parses back to the very same doubles.
    expect(parseOutput(result.stdout).map((r) => r[0])).toEqual(api);
    expect(result.stdout.split('\n')[1]).toBe(String(sigmoid(0.6 + 0.25, 1.5)));
  });

  it('--raw prints raw scores', () => {
    const result = runCli([BINARY, fixturePath('binary-rows.tsv'), '--format', 'tsv', '--raw']);
    expect(result.status).toBe(0);
    expect(parseOutput(result.stdout).map((r) => r[0])).toEqual([-0.4 + 0.25, 0.6 + 0.25, -0.4 - 0.75, 0.6 - 0.75]);
  });

  it('reads libsvm rows: zero-based indices, absent entries 0, unknown indices ignored, label optional', () => {
    const result = runCli([BINARY, fixturePath('binary-rows.libsvm'), '--format', 'libsvm', '--raw']);
    expect(result.stderr).toBe('');
    // rows: {0:1} {1:2} {0:1,1:2,9:7} {}
    expect(parseOutput(result.stdout).map((r) => r[0])).toEqual([0.6 + 0.25, -0.4 - 0.75, 0.6 - 0.75, -0.4 + 0.25]);
    const noLabel = runCli([BINARY, '-', '--format', 'libsvm', '--raw'], '0:1 1:2\n');
    expect(parseOutput(noLabel.stdout)).toEqual([[0.6 - 0.75]]);
  });

  it('prints every class tab-separated, honours --num-iteration and --skip-first-column', () => {
    const input = '7\t-1\t1\t0\n';
    const result = runCli([MULTI, '-', '--format', 'tsv', '--skip-first-column', '--raw', '--num-iteration', '1'], input);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('0.1\t0.3\t0.5\n');
    const start = runCli([MULTI, '-', '--format', 'tsv', '--skip-first-column', '--raw', '--start-iteration', '1'], input);
    expect(start.stdout).toBe('0.05\t0.2\t-0.3\n');
    const full = runCli([MULTI, '-', '--format', 'tsv', '--skip-first-column'], input);
    const probabilities = parseOutput(full.stdout)[0] as number[];
    expect(probabilities).toHaveLength(3);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
  });

  it('reads nan/NA/empty tsv cells as missing values', () => {
    // categorical.v4.txt: NaN in feature 0 goes right (+1); tree 1 with f1=0 in set, f2 missing -> 20.
    const result = runCli([fixturePath('categorical.v4.txt'), '-', '--format', 'tsv'], 'nan\t0\t\t0\nNA\t0\tnan\t0\n');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('21\n21\n');
  });

  it('skips blank lines and accepts CRLF input', () => {
    const result = runCli([BINARY, '-', '--format', 'tsv', '--raw'], '1\t0\r\n\r\n0\t2\r\n');
    expect(parseOutput(result.stdout).map((r) => r[0])).toEqual([0.6 + 0.25, -0.4 - 0.75]);
  });
});

describe('lgbm-predict errors', () => {
  it('a malformed model exits 1 with the model line on stderr', () => {
    const result = runCli([fixturePath('binary-rows.tsv'), fixturePath('binary-rows.tsv'), '--format', 'tsv']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/model line 1: expected the model type line "tree"/);
  });

  it('a bad features row exits 1 with its line number', () => {
    const result = runCli([BINARY, '-', '--format', 'tsv'], '1\t2\n1\tx\n');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/features line 2: feature 1: "x" is not a number/);
    const width = runCli([BINARY, '-', '--format', 'tsv'], '1\t2\t3\n');
    expect(width.status).toBe(1);
    expect(width.stderr).toMatch(/features line 1: 3 feature columns, the model expects 2/);
    const libsvm = runCli([BINARY, '-', '--format', 'libsvm'], '1 0:1\n1 a:1\n');
    expect(libsvm.status).toBe(1);
    expect(libsvm.stderr).toMatch(/features line 2/);
  });

  it('a missing file exits 1', () => {
    const result = runCli(['/nonexistent/model.txt', fixturePath('binary-rows.tsv'), '--format', 'tsv']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot read model file/);
  });

  it.each([
    [['--format', 'tsv'], /expected MODEL and FEATURES/],
    [[BINARY, fixturePath('binary-rows.tsv')], /--format tsv\|libsvm is required/],
    [[BINARY, fixturePath('binary-rows.tsv'), '--format', 'csv'], /--format must be tsv or libsvm/],
    [[BINARY, fixturePath('binary-rows.tsv'), '--format', 'tsv', '--num-iteration', 'ten'], /--num-iteration needs an integer/],
    [[BINARY, fixturePath('binary-rows.tsv'), '--format', 'tsv', '--bogus'], /Unknown option/],
  ])('usage error %j exits 2', (args, message) => {
    const result = runCli(args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/usage: lgbm-predict/);
  });

  it('--help prints usage and exits 0', () => {
    const result = runCli(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/usage: lgbm-predict MODEL FEATURES/);
  });
});
