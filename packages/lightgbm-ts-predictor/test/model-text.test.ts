/**
 * Model text parsing: v2/v3/v4 header differences, trailing sections, and malformed or truncated
 * files, each of which must fail with a ModelFormatError carrying the offending 1-based line.
 */
import { loadModel, ModelFormatError, parseModelText, UnsupportedModelError } from '../src';
import { fixture, lineOf, thrown } from './helpers';

const BINARY = fixture('binary-sigmoid.v4.txt');
const CATEGORICAL = fixture('categorical.v4.txt');
const MULTI = fixture('multiclass.v3.txt');

function formatError(text: string): ModelFormatError {
  const err = thrown(() => loadModel(text));
  if (!(err instanceof ModelFormatError)) throw err;
  return err;
}

/** Replace the first line starting with `prefix` (searching from line `from`) by `replacement`. */
function replaceLine(text: string, prefix: string, replacement: string, from = 1): string {
  const lines = text.split('\n');
  const at = lineOf(text, prefix, from) - 1;
  lines[at] = replacement;
  return lines.join('\n');
}

describe('header versions', () => {
  it('reads v2, v3 and v4 files', () => {
    expect(loadModel(fixture('regression.v2.txt')).version).toBe('v2');
    expect(loadModel(MULTI).version).toBe('v3');
    expect(loadModel(BINARY).version).toBe('v4');
  });

  it('v3/v4 extras (leaf_weight, is_linear=0, tree_sizes) and v2 omissions give the same trees', () => {
    // The same stump written the v2 way (no tree_sizes / leaf_weight / is_linear / num_tree_per_iteration).
    const v2 = BINARY.replace('version=v4', 'version=v2')
      .replace(/^num_tree_per_iteration=1\n/m, '')
      .replace(/^tree_sizes=.*\n/m, '')
      .replace(/^leaf_weight=.*\n/gm, '')
      .replace(/^internal_weight=.*\n/gm, '')
      .replace(/^is_linear=0\n/gm, '');
    const rows = Float64Array.from([0, 0, 1, 0, 0, 2, 1, 2]);
    expect(Array.from(loadModel(v2).predictMany(rows))).toEqual(Array.from(loadModel(BINARY).predictMany(rows)));
  });

  it('accepts a file without a version line (defaults apply)', () => {
    expect(loadModel(BINARY.replace(/^version=v4\n/m, '')).version).toBeUndefined();
  });

  it('refuses an unknown version with its line', () => {
    const text = BINARY.replace('version=v4', 'version=v9');
    const err = formatError(text);
    expect(err).toBeInstanceOf(UnsupportedModelError);
    expect(err.line).toBe(2);
  });

  it('ignores feature importances, parameters and pandas_categorical after "end of trees"', () => {
    expect(BINARY).toMatch(/parameters:/);
    const parsed = parseModelText(BINARY);
    expect(parsed.trees).toHaveLength(2);
    expect(parsed.header.objective.text).toBe('binary sigmoid:1.5');
  });

  it('reads CRLF files the same way', () => {
    const crlf = BINARY.replace(/\n/g, '\r\n');
    expect(Array.from(loadModel(crlf).predict([1, 2]))).toEqual(Array.from(loadModel(BINARY).predict([1, 2])));
  });

  it('exposes categorical bitsets and boundaries per tree', () => {
    const tree = parseModelText(CATEGORICAL).trees[1];
    expect(Array.from(tree?.catBoundaries ?? [])).toEqual([0, 1, 3]);
    expect(Array.from(tree?.catThreshold ?? [])).toEqual([5, 32, 2]);
  });
});

describe('truncated files', () => {
  it('missing "end of trees" is reported at the last line', () => {
    const cut = BINARY.slice(0, BINARY.indexOf('end of trees'));
    const err = formatError(cut);
    expect(err.message).toMatch(/end of trees/);
    expect(err.line).toBe(cut.split('\n').length - 1);
  });

  it('a file cut inside a tree is reported at the cut line', () => {
    const at = BINARY.indexOf('leaf_value=0.25 -0.75');
    const cut = BINARY.slice(0, at + 'leaf_value=0.25'.length);
    const err = formatError(cut);
    expect(err.message).toMatch(/leaf_value has 1 values, expected num_leaves=2/);
    expect(err.line).toBe(cut.split('\n').length);
  });

  it('a file cut after the header is reported', () => {
    const cut = BINARY.slice(0, BINARY.indexOf('Tree=0'));
    expect(formatError(cut).message).toMatch(/no "Tree=" block/);
  });

  it('an empty file or a non-model file is refused at line 1', () => {
    expect(formatError('').line).toBe(1);
    const err = formatError('{"name":"tree"}\n');
    expect(err.line).toBe(1);
    expect(err.message).toMatch(/"tree"/);
  });
});

describe('tree_sizes consistency', () => {
  it('a tree count that does not match tree_sizes is reported at the tree_sizes line', () => {
    const text = BINARY.replace(/^tree_sizes=(.*)$/m, 'tree_sizes=$1 100');
    const err = formatError(text);
    expect(err.message).toMatch(/tree_sizes lists 3 trees but the file has 2/);
    expect(err.line).toBe(lineOf(text, 'tree_sizes='));
  });

  it('a tree block whose size differs from tree_sizes (edited file) is reported at its Tree= line', () => {
    const text = BINARY.replace('leaf_value=-0.4 0.6', 'leaf_value=-0.45 0.6');
    const err = formatError(text);
    expect(err.message).toMatch(/tree 0 block is \d+ bytes but tree_sizes says \d+/);
    expect(err.line).toBe(lineOf(text, 'Tree=0'));
  });

  it('the last size is not checked: LightGBM never uses it to find a tree', () => {
    const text = BINARY.replace('leaf_value=0.25 -0.75', 'leaf_value=0.255 -0.75');
    expect(loadModel(text).createPredictor({ rawScore: true }).predict([0, 0])[0]).toBeCloseTo(-0.4 + 0.255, 15);
  });

  it('a non-numeric tree_sizes entry is reported', () => {
    const text = BINARY.replace(/^tree_sizes=(\d+)/m, 'tree_sizes=x');
    expect(formatError(text).line).toBe(lineOf(text, 'tree_sizes='));
  });
});

describe('malformed trees', () => {
  it.each([
    ['split_feature', 'split_feature=0 1', /split_feature has 2 values, expected num_leaves-1=1/],
    ['threshold', 'threshold=abc', /threshold: value 1 "abc" is not a number/],
    ['leaf_value', 'leaf_value=1.5.3 2', /leaf_value: value 1 "1.5.3" is not a number/],
    ['left_child', 'left_child=-5', /left_child: value 1 \(-5\) is outside/],
    ['decision_type', 'decision_type=x', /decision_type: value 1 "x" is not an integer/],
    ['split_feature', 'split_feature=7', /split_feature: value 1 \(7\) is outside \[0, 1\]/],
    ['num_leaves', 'num_leaves=0', /num_leaves=0 must be at least 1/],
  ])('bad %s is reported at its line', (key, replacement, message) => {
    const text = replaceLine(BINARY, `${key}=`, replacement);
    const err = formatError(text);
    expect(err.message).toMatch(message);
    expect(err.line).toBe(lineOf(text, replacement));
  });

  it('a missing required key is reported at the Tree= line', () => {
    const text = BINARY.replace(/^threshold=0\.5\n/m, '');
    const err = formatError(text);
    expect(err.message).toMatch(/tree 0: missing threshold=/);
    expect(err.line).toBe(lineOf(text, 'Tree=0'));
  });

  it('a line without "=" inside a tree is reported', () => {
    const text = BINARY.replace('shrinkage=1\n', 'shrinkage\n');
    expect(formatError(text).line).toBe(lineOf(text, 'shrinkage'));
  });

  it('trees out of order are reported', () => {
    const text = BINARY.replace('Tree=1', 'Tree=3');
    const err = formatError(text);
    expect(err.message).toMatch(/expected "Tree=1"/);
    expect(err.line).toBe(lineOf(text, 'Tree=3'));
  });

  it('a tree whose children do not form a tree is reported (cycle, shared child)', () => {
    const v2 = fixture('regression.v2.txt');
    const shared = v2.replace('left_child=1 -2', 'left_child=1 -1');
    expect(formatError(shared).message).toMatch(/leaf 0 is the child of 2 nodes|leaf 1 is the child of 0 nodes/);
    const cycle = v2.replace('left_child=1 -2', 'left_child=1 1').replace('right_child=-1 -3', 'right_child=-1 -2');
    expect(formatError(cycle).message).toMatch(/node 1 is the child of 2 nodes|leaf/);
  });

  it('categorical arrays must agree with num_cat and cat_boundaries', () => {
    const shortBits = CATEGORICAL.replace('cat_threshold=10 256', 'cat_threshold=10');
    const err = formatError(shortBits);
    expect(err.message).toMatch(/cat_threshold has 1 values/);
    expect(err.line).toBe(lineOf(shortBits, 'cat_threshold=10'));

    const badIndex = CATEGORICAL.replace('threshold=0 1 0.5', 'threshold=0 2 0.5').replace(/^tree_sizes=.*\n/m, '');
    expect(formatError(badIndex).message).toMatch(/categorical node 1 has threshold 2/);

    const negative = CATEGORICAL.replace('cat_threshold=10 256', 'cat_threshold=10 -1');
    expect(formatError(negative).message).toMatch(/not a 32-bit unsigned integer/);
  });

  it('a multiclass file must hold whole iterations', () => {
    const lines = MULTI.split('\n');
    const lastTree = lineOf(MULTI, 'Tree=5') - 1;
    const end = lineOf(MULTI, 'end of trees') - 1;
    const cut = [...lines.slice(0, lastTree), ...lines.slice(end)].join('\n').replace(/^tree_sizes=.*\n/m, '');
    expect(formatError(cut).message).toMatch(/5 trees is not a whole number of iterations/);
  });
});

describe('malformed headers', () => {
  it.each(['num_class', 'label_index', 'max_feature_idx'])('missing %s is reported', (key) => {
    const text = BINARY.replace(new RegExp(`^${key}=.*\\n`, 'm'), '');
    const err = formatError(text);
    expect(err.message).toMatch(new RegExp(`no ${key}=`));
    expect(err.line).toBe(lineOf(text, 'Tree=0'));
  });

  it('feature_names must match max_feature_idx', () => {
    const text = BINARY.replace('feature_names=f0 f1', 'feature_names=f0 f1 f2');
    expect(formatError(text).line).toBe(lineOf(text, 'feature_names='));
  });

  it('a non-integer num_class is reported at its line', () => {
    const text = BINARY.replace('num_class=1', 'num_class=one');
    expect(formatError(text).line).toBe(lineOf(text, 'num_class='));
  });
});
