/**
 * Walking one tree for one row, with LightGBM's decision rules (include/LightGBM/tree.h:
 * Tree::NumericalDecision, Tree::CategoricalDecision, Tree::Predict for linear leaves).
 * Rows are read in place from a flat buffer at `base`, so nothing is allocated per row.
 */
import { Forest } from './model-layout';

/** LightGBM's kZeroThreshold: |x| <= 1e-35 counts as zero for missing_type=Zero. */
export const K_ZERO_THRESHOLD = 1e-35;

const CATEGORICAL = 1;
const DEFAULT_LEFT = 2;
const MISSING_ZERO = 1;
const MISSING_NAN = 2;

/** Global leaf index reached by the row `x[base .. base + numFeatures)` in tree `tree`. */
export function findLeaf(forest: Forest, tree: number, x: ArrayLike<number>, base: number): number {
  const { splitFeature, threshold, decisionType, leftChild, rightChild } = forest;
  let node = forest.treeRoot[tree] as number;
  while (node >= 0) {
    const dt = decisionType[node] as number;
    let v = x[base + (splitFeature[node] as number)] as number;
    if ((dt & CATEGORICAL) === 0) {
      const missing = (dt >> 2) & 3;
      if (v !== v) {
        // NaN is a value of its own only for missing_type=NaN; otherwise it is read as 0.
        if (missing === MISSING_NAN) {
          node = (dt & DEFAULT_LEFT) !== 0 ? (leftChild[node] as number) : (rightChild[node] as number);
          continue;
        }
        v = 0;
      }
      if (missing === MISSING_ZERO && v >= -K_ZERO_THRESHOLD && v <= K_ZERO_THRESHOLD) {
        node = (dt & DEFAULT_LEFT) !== 0 ? (leftChild[node] as number) : (rightChild[node] as number);
        continue;
      }
      node = v <= (threshold[node] as number) ? (leftChild[node] as number) : (rightChild[node] as number);
    } else {
      node = categoricalInBitset(forest, node, v) ? (leftChild[node] as number) : (rightChild[node] as number);
    }
  }
  return ~node;
}

/**
 * Categorical test: the value is truncated toward zero to an int (C++ static_cast<int>); NaN,
 * negative categories and categories past the bitset go right. Values at or beyond 2^31 are
 * out of int range (static_cast gives INT_MIN on x86), hence negative, hence right.
 */
export function categoricalInBitset(forest: Forest, node: number, v: number): boolean {
  if (!(v > -1 && v < 2147483648)) return false;
  const category = v | 0; // truncation toward zero, e.g. -0.5 -> 0 as in C++
  const word = category >>> 5;
  if (word >= (forest.catWords[node] as number)) return false;
  const bits = forest.catBitset[(forest.catStart[node] as number) + word] as number;
  return ((bits >>> (category & 31)) & 1) === 1;
}

/** Output of tree `tree` for the row at `base` (constant leaf, or the leaf's linear model). */
export function treeOutput(forest: Forest, tree: number, x: ArrayLike<number>, base: number): number {
  const leaf = findLeaf(forest, tree, x, base);
  if (!forest.hasLinear || forest.treeIsLinear[tree] === 0) return forest.leafValue[leaf] as number;
  return linearLeafOutput(forest, leaf, x, base);
}

/** leaf_const + sum(coeff * x[feature]), or the plain leaf value when a used feature is NaN. */
export function linearLeafOutput(forest: Forest, leaf: number, x: ArrayLike<number>, base: number): number {
  let output = forest.leafConst[leaf] as number;
  const end = forest.leafFeatureStart[leaf + 1] as number;
  for (let j = forest.leafFeatureStart[leaf] as number; j < end; j++) {
    const v = x[base + (forest.leafFeature[j] as number)] as number;
    if (v !== v) return forest.leafValue[leaf] as number;
    output += (forest.leafCoeff[j] as number) * v;
  }
  return output;
}
