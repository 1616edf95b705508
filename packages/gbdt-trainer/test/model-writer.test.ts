import { loadModel } from 'lightgbm-ts-predictor';
import { train } from '../src';
import { flatten, xor } from './helpers';

describe('LightGBM v4 model text', () => {
  const data = xor(800, 21, 7); // feature 2 has NaN every 7th row
  const names = ['x0', 'x1', 'noise_with_nan', 'noise'];
  const booster = train(
    { num_iterations: 25, num_leaves: 8, learning_rate: 0.15, bagging_fraction: 0.8, bagging_freq: 2, feature_fraction: 0.75, seed: 9 },
    data,
    { featureNames: names },
  );
  const text = booster.toModelString();

  test('header has the fields LightGBM writes, in order', () => {
    const header = text.slice(0, text.indexOf('\n\n')).split('\n');
    expect(header.slice(0, 7)).toEqual([
      'tree',
      'version=v4',
      'num_class=1',
      'num_tree_per_iteration=1',
      'label_index=0',
      'max_feature_idx=3',
      'objective=binary sigmoid:1',
    ]);
    expect(header[7]).toBe(`feature_names=${names.join(' ')}`);
    expect(header[8]).toMatch(/^feature_infos=(\[[-0-9.e+]+:[-0-9.e+]+\] ){3}\[[-0-9.e+]+:[-0-9.e+]+\]$/);
    expect(header[9]).toMatch(/^tree_sizes=(\d+ )*\d+$/);
  });

  test('tree_sizes are the byte lengths of the Tree= blocks', () => {
    const sizes = /\ntree_sizes=([\d ]+)\n/.exec(text)![1].split(' ').map(Number);
    expect(sizes).toHaveLength(booster.trees.length);
    let pos = text.indexOf('\n\nTree=0\n') + 2;
    sizes.forEach((size, i) => {
      const block = text.slice(pos, pos + size);
      expect(block.startsWith(`Tree=${i}\n`)).toBe(true);
      expect(block.endsWith('shrinkage=' + (i === 0 ? '1' : '0.15') + '\n\n\n')).toBe(true);
      pos += size;
    });
    expect(text.slice(pos).startsWith('end of trees\n')).toBe(true);
  });

  test('each tree block has the v4 keys and consistent array lengths', () => {
    const block = text.slice(text.indexOf('Tree=1\n'), text.indexOf('Tree=2\n'));
    const kv = Object.fromEntries(block.trim().split('\n').slice(1).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(Object.keys(kv)).toEqual([
      'num_leaves', 'num_cat', 'split_feature', 'split_gain', 'threshold', 'decision_type', 'left_child', 'right_child',
      'leaf_value', 'leaf_weight', 'leaf_count', 'internal_value', 'internal_weight', 'internal_count', 'is_linear', 'shrinkage',
    ]);
    const n = Number(kv.num_leaves);
    for (const k of ['split_feature', 'split_gain', 'threshold', 'decision_type', 'left_child', 'right_child', 'internal_value', 'internal_weight', 'internal_count']) {
      expect(kv[k].split(' ')).toHaveLength(n - 1);
    }
    for (const k of ['leaf_value', 'leaf_weight', 'leaf_count']) expect(kv[k].split(' ')).toHaveLength(n);
    const leaves = [...kv.left_child.split(' '), ...kv.right_child.split(' ')].map(Number).filter((c) => c < 0).map((c) => ~c).sort((a, b) => a - b);
    expect(leaves).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(kv.num_cat).toBe('0');
    expect(kv.is_linear).toBe('0');
    // decision_type: numerical; default-left for features without NaN (2), NaN missing type (8/10) for feature 2.
    kv.decision_type.split(' ').forEach((d: string, k: number) => {
      const f = Number(kv.split_feature.split(' ')[k]);
      expect(f === 2 ? [8, 10] : [2]).toContain(Number(d));
    });
  });

  test('trailing sections: importances, parameters, pandas_categorical', () => {
    const tail = text.slice(text.indexOf('end of trees\n'));
    expect(tail).toMatch(/^end of trees\n\nfeature_importances:\n(\w+=\d+\n)+\nparameters:\n(\[\w+: [^\]\n]*\]\n)+\nend of parameters\n\npandas_categorical:null\n$/);
    expect(tail).toContain('[objective: binary]\n');
    expect(tail).toContain('[num_leaves: 8]\n');
  });

  test('round trip: lightgbm-ts-predictor reproduces the trainer scores to 1e-12', () => {
    const model = loadModel(text);
    expect(model.version).toBe('v4');
    expect(model.numTrees).toBe(booster.trees.length);
    const raw = model.createPredictor({ rawScore: true }).predictMany(flatten(data.rows));
    const prob = model.predictMany(flatten(data.rows));
    data.rows.forEach((r, i) => {
      // Scores the trainer accumulated on binned data during training...
      expect(Math.abs(raw[i] - booster.trainScores[i])).toBeLessThanOrEqual(1e-12);
      // ...and its own raw-value tree walk.
      expect(Math.abs(raw[i] - booster.predictRaw(r))).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(prob[i] - booster.predict(r))).toBeLessThanOrEqual(1e-12);
    });
  });

  test('round trip on unseen rows, including NaN where training had none', () => {
    const fresh = xor(200, 99);
    fresh.rows.forEach((r, i) => {
      if (i % 5 === 0) r[0] = NaN; // feature 0 had no NaN: LightGBM treats it as 0
    });
    const model = loadModel(text);
    const prob = model.predictMany(flatten(fresh.rows));
    fresh.rows.forEach((r, i) => expect(Math.abs(prob[i] - booster.predict(r))).toBeLessThanOrEqual(1e-12));
  });
});
