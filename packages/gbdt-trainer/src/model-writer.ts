/**
 * Serialises trees to LightGBM's v4 text model format, field for field as LightGBM's
 * GBDT::SaveModelToString / Tree::ToString write it (including `tree_sizes`, the byte length of
 * each "Tree=i" block, which LightGBM uses to parse trees in parallel), so LightGBM itself and
 * lightgbm-ts-predictor load it. Numbers use LightGBM's printf formats: "%.17g" for thresholds,
 * leaf values and leaf weights (exact round trip), "%g" for gains and internal values.
 */
import { format17, format6 } from './format';
import type { Tree } from './tree';

export interface ModelDescription {
  /** e.g. "binary sigmoid:1" */
  objective: string;
  featureNames: readonly string[];
  /** `[min:max]` or `none` per feature */
  featureInfos: readonly string[];
  trees: readonly Tree[];
  /** Written in order as `[key: value]` lines of the parameters section. */
  parameters: ReadonlyArray<readonly [string, string]>;
}

const join = <T>(arr: readonly T[], n: number, fmt: (x: T) => string): string => arr.slice(0, n).map(fmt).join(' ');
const int = (x: number): string => String(x);

export function treeToString(t: Tree): string {
  const n = t.numLeaves;
  const ni = n - 1;
  return (
    `num_leaves=${n}\n` +
    `num_cat=0\n` +
    `split_feature=${join(t.splitFeature, ni, int)}\n` +
    `split_gain=${join(t.splitGain, ni, format6)}\n` +
    `threshold=${join(t.threshold, ni, format17)}\n` +
    `decision_type=${join(t.decisionType, ni, int)}\n` +
    `left_child=${join(t.leftChild, ni, int)}\n` +
    `right_child=${join(t.rightChild, ni, int)}\n` +
    `leaf_value=${join(t.leafValue, n, format17)}\n` +
    `leaf_weight=${join(t.leafWeight, n, format17)}\n` +
    `leaf_count=${join(t.leafCount, n, int)}\n` +
    `internal_value=${join(t.internalValue, ni, format6)}\n` +
    `internal_weight=${join(t.internalWeight, ni, format6)}\n` +
    `internal_count=${join(t.internalCount, ni, int)}\n` +
    `is_linear=0\n` +
    `shrinkage=${format6(t.shrinkage)}\n` +
    `\n`
  );
}

/** Split-count importance (LightGBM importance_type "split"): splits with positive gain per feature. */
export function splitImportance(trees: readonly Tree[], numFeatures: number): number[] {
  const imp = new Array<number>(numFeatures).fill(0);
  for (const t of trees) for (let k = 0; k < t.numLeaves - 1; k++) if (t.splitGain[k] > 0) imp[t.splitFeature[k]]++;
  return imp;
}

export function modelToString(m: ModelDescription): string {
  const nf = m.featureNames.length;
  if (m.featureInfos.length !== nf) throw new Error('featureInfos and featureNames differ in length');
  const blocks = m.trees.map((t, i) => `Tree=${i}\n${treeToString(t)}\n`);
  const header =
    `tree\n` +
    `version=v4\n` +
    `num_class=1\n` +
    `num_tree_per_iteration=1\n` +
    `label_index=0\n` +
    `max_feature_idx=${nf - 1}\n` +
    `objective=${m.objective}\n` +
    `feature_names=${m.featureNames.join(' ')}\n` +
    `feature_infos=${m.featureInfos.join(' ')}\n` +
    // Blocks are ASCII, so string length == byte length.
    `tree_sizes=${blocks.map((b) => Buffer.byteLength(b, 'utf8')).join(' ')}\n` +
    `\n`;
  // Importances sorted by count, descending, ties in feature order (LightGBM uses a stable sort).
  const imp = splitImportance(m.trees, nf)
    .map((count, f) => ({ count, name: m.featureNames[f] }))
    .filter((x) => x.count > 0)
    .sort((a, b) => b.count - a.count);
  const importances = imp.map((x) => `${x.name}=${x.count}\n`).join('');
  const params = m.parameters.map(([k, v]) => `[${k}: ${v}]\n`).join('');
  return (
    header +
    blocks.join('') +
    `end of trees\n` +
    `\nfeature_importances:\n` +
    importances +
    `\nparameters:\n` +
    params +
    `\n` +
    `end of parameters\n` +
    `\npandas_categorical:null\n`
  );
}
