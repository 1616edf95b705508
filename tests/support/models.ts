import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LGBM_FEATURE_SET } from '@cataract/imaging';

export interface LgbmFixture {
  /** A MODELS_DIR holding lgbm/manifest.json and lgbm/model.txt. */
  modelsDir: string;
  version: string;
  threshold: number;
  /** Index (in LGBM_FEATURE_SET.names) of the feature the single split reads. */
  featureIndex: number;
  splitAt: number;
  /** P(cataract) of each leaf: left (feature <= splitAt) and right. */
  pLeft: number;
  pRight: number;
  remove(): void;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * A tiny but genuine LightGBM text model (binary objective, one tree, one split on the centre
 * disk's dark percentile: a black pupil is "normal", a milky one "cataract") with a manifest
 * for imaging's current feature set. Tests use it so they do not depend on a trained model, and
 * can compute the exact answer a request must get.
 */
export function writeLgbmFixture(opts: { feature?: string; splitAt?: number; leaves?: [number, number]; threshold?: number } = {}): LgbmFixture {
  const names = LGBM_FEATURE_SET.names;
  const feature = opts.feature ?? 'centre_l_p05';
  const featureIndex = names.indexOf(feature);
  if (featureIndex < 0) throw new Error(`feature ${feature} is not in ${LGBM_FEATURE_SET.name} v${LGBM_FEATURE_SET.version}`);
  const splitAt = opts.splitAt ?? 40;
  const [left, right] = opts.leaves ?? [-1.5, 1.5];
  const threshold = opts.threshold ?? 0.5;
  const text = [
    'tree',
    'version=v4',
    'num_class=1',
    'num_tree_per_iteration=1',
    'label_index=0',
    `max_feature_idx=${names.length - 1}`,
    'objective=binary sigmoid:1',
    `feature_names=${names.join(' ')}`,
    `feature_infos=${names.map(() => 'none').join(' ')}`,
    '',
    'Tree=0',
    'num_leaves=2',
    'num_cat=0',
    `split_feature=${featureIndex}`,
    'split_gain=1',
    `threshold=${splitAt}`,
    'decision_type=2',
    'left_child=-1',
    'right_child=-2',
    `leaf_value=${left} ${right}`,
    'leaf_weight=1 1',
    'leaf_count=1 1',
    'internal_value=0',
    'internal_weight=2',
    'internal_count=2',
    'is_linear=0',
    'shrinkage=1',
    '',
    '',
    'end of trees',
    '',
    'pandas_categorical:null',
    '',
  ].join('\n');
  const modelsDir = mkdtempSync(join(tmpdir(), 'cataract-models-'));
  const dir = join(modelsDir, 'lgbm');
  mkdirSync(dir);
  writeFileSync(join(dir, 'model.txt'), text);
  const sha256 = createHash('sha256').update(text).digest('hex');
  const version = `lgbm-fixture-${sha256.slice(0, 8)}`;
  const manifest = {
    name: 'lgbm',
    version,
    runtime: 'lightgbm',
    file: 'model.txt',
    sha256,
    labels: ['normal', 'cataract'],
    positive_label: 'cataract',
    threshold,
    created: new Date().toISOString(),
    feature_set: { name: LGBM_FEATURE_SET.name, version: LGBM_FEATURE_SET.version },
    training: { fixture: 'tests/support/models.ts: one hand-written split, for plumbing tests only' },
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return {
    modelsDir,
    version,
    threshold,
    featureIndex,
    splitAt,
    pLeft: sigmoid(left),
    pRight: sigmoid(right),
    remove: () => rmSync(modelsDir, { recursive: true, force: true }),
  };
}

/** The fixture's P(cataract) for a feature vector (same rule as its one tree). */
export function fixtureProbability(fx: LgbmFixture, features: ArrayLike<number>): number {
  return features[fx.featureIndex] <= fx.splitAt ? fx.pLeft : fx.pRight;
}
