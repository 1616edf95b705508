/**
 * In-memory layout used by the tree walk: every tree's nodes concatenated into flat typed arrays
 * (structure of arrays), children rewritten to global indices, so predicting touches a handful of
 * contiguous arrays and allocates nothing.
 */
import { ParsedTree } from './tree-text';

export interface Forest {
  readonly numTrees: number;
  /** Per tree: global index of its root node, or ~globalLeaf for a single-leaf tree. */
  readonly treeRoot: Int32Array;
  /** Per tree (+1): first global internal node / first global leaf of each tree. */
  readonly treeNodeOffset: Int32Array;
  readonly treeLeafOffset: Int32Array;

  // Internal nodes of all trees.
  readonly splitFeature: Int32Array;
  readonly threshold: Float64Array;
  /**
   * LightGBM decision_type bits: 1 categorical, 2 default-left, bits 2-3 missing type
   * (0 None, 1 Zero, 2 NaN). The categorical bit is cleared in trees with num_cat=0, as
   * LightGBM's GetLeaf ignores it there.
   */
  readonly decisionType: Uint8Array;
  /** Global child: >= 0 an internal node, < 0 is ~globalLeaf. */
  readonly leftChild: Int32Array;
  readonly rightChild: Int32Array;
  /** Categorical nodes: word offset into catBitset and word count of their bitset. */
  readonly catStart: Int32Array;
  readonly catWords: Int32Array;
  readonly catBitset: Uint32Array;

  // Leaves of all trees.
  readonly leafValue: Float64Array;

  // Linear leaves (is_linear=1 trees); empty arrays when the model has none.
  readonly hasLinear: boolean;
  readonly treeIsLinear: Uint8Array;
  readonly leafConst: Float64Array;
  /** Per global leaf (+1): range of its linear features in leafFeature/leafCoeff. */
  readonly leafFeatureStart: Int32Array;
  readonly leafFeature: Int32Array;
  readonly leafCoeff: Float64Array;
}

export function buildForest(trees: readonly ParsedTree[]): Forest {
  const numTrees = trees.length;
  let totalNodes = 0;
  let totalLeaves = 0;
  let totalWords = 0;
  let totalLinearTerms = 0;
  let hasLinear = false;
  for (const tree of trees) {
    totalNodes += tree.numLeaves - 1;
    totalLeaves += tree.numLeaves;
    totalWords += tree.catThreshold.length;
    if (tree.linear !== undefined) {
      hasLinear = true;
      totalLinearTerms += tree.linear.features.length;
    }
  }

  const treeRoot = new Int32Array(numTrees);
  const treeNodeOffset = new Int32Array(numTrees + 1);
  const treeLeafOffset = new Int32Array(numTrees + 1);
  const splitFeature = new Int32Array(totalNodes);
  const threshold = new Float64Array(totalNodes);
  const decisionType = new Uint8Array(totalNodes);
  const leftChild = new Int32Array(totalNodes);
  const rightChild = new Int32Array(totalNodes);
  const catStart = new Int32Array(totalNodes);
  const catWords = new Int32Array(totalNodes);
  const catBitset = new Uint32Array(totalWords);
  const leafValue = new Float64Array(totalLeaves);
  const treeIsLinear = new Uint8Array(numTrees);
  const leafConst = new Float64Array(hasLinear ? totalLeaves : 0);
  const leafFeatureStart = new Int32Array(hasLinear ? totalLeaves + 1 : 0);
  const leafFeature = new Int32Array(totalLinearTerms);
  const leafCoeff = new Float64Array(totalLinearTerms);

  let nodeBase = 0;
  let leafBase = 0;
  let wordBase = 0;
  let termBase = 0;
  for (let t = 0; t < numTrees; t++) {
    const tree = trees[t] as ParsedTree;
    const internal = tree.numLeaves - 1;
    treeNodeOffset[t] = nodeBase;
    treeLeafOffset[t] = leafBase;
    treeRoot[t] = internal > 0 ? nodeBase : ~leafBase;
    const global = (child: number): number => (child >= 0 ? nodeBase + child : ~(leafBase + ~child));
    for (let n = 0; n < internal; n++) {
      const g = nodeBase + n;
      splitFeature[g] = tree.splitFeature[n] as number;
      threshold[g] = tree.threshold[n] as number;
      leftChild[g] = global(tree.leftChild[n] as number);
      rightChild[g] = global(tree.rightChild[n] as number);
      let dt = tree.decisionType[n] as number;
      if (tree.numCat === 0) dt &= ~1;
      decisionType[g] = dt;
      if (dt & 1) {
        const catIdx = tree.threshold[n] as number;
        const from = tree.catBoundaries[catIdx] as number;
        catStart[g] = wordBase + from;
        catWords[g] = (tree.catBoundaries[catIdx + 1] as number) - from;
      }
    }
    catBitset.set(tree.catThreshold, wordBase);
    leafValue.set(tree.leafValue, leafBase);

    if (hasLinear) {
      const linear = tree.linear;
      for (let l = 0; l < tree.numLeaves; l++) {
        leafFeatureStart[leafBase + l] = termBase;
        if (linear === undefined) continue;
        leafConst[leafBase + l] = linear.leafConst[l] as number;
        termBase += linear.numFeatures[l] as number;
      }
      if (linear !== undefined) {
        treeIsLinear[t] = 1;
        leafFeature.set(linear.features, leafFeatureStart[leafBase] as number);
        leafCoeff.set(linear.coeff, leafFeatureStart[leafBase] as number);
      }
    }

    nodeBase += internal;
    leafBase += tree.numLeaves;
    wordBase += tree.catThreshold.length;
  }
  treeNodeOffset[numTrees] = nodeBase;
  treeLeafOffset[numTrees] = leafBase;
  if (hasLinear) leafFeatureStart[totalLeaves] = termBase;

  return {
    numTrees,
    treeRoot,
    treeNodeOffset,
    treeLeafOffset,
    splitFeature,
    threshold,
    decisionType,
    leftChild,
    rightChild,
    catStart,
    catWords,
    catBitset,
    leafValue,
    hasLinear,
    treeIsLinear,
    leafConst,
    leafFeatureStart,
    leafFeature,
    leafCoeff,
  };
}
