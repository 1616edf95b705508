/**
 * Leaf-wise (best-first) tree growth: repeatedly split the leaf whose best split has the largest
 * gain, until `num_leaves` leaves exist or no leaf has a valid split. `max_depth` caps the depth of
 * any leaf. Leaf outputs are raw Newton steps; the booster applies the learning rate.
 */
import type { BinMapper } from './binning';
import { Histogram } from './histogram';
import type { TrainParams } from './params';
import { findBestSplit, leafOutput, type LeafStats, type SplitCandidate } from './split-finder';
import { Tree } from './tree';

interface LeafState {
  rows: Int32Array;
  stats: LeafStats;
  hist: Histogram;
  best: SplitCandidate | null;
}

export type LearnerParams = Pick<
  TrainParams,
  'num_leaves' | 'max_depth' | 'lambda_l1' | 'lambda_l2' | 'min_data_in_leaf' | 'min_sum_hessian_in_leaf' | 'min_gain_to_split'
>;

export class LeafWiseTreeLearner {
  constructor(
    private readonly bins: readonly Uint8Array[],
    private readonly mappers: readonly BinMapper[],
    private readonly params: LearnerParams,
  ) {}

  /**
   * Grows one tree on rows `rows` (the bag) with the given gradients, considering only `features`.
   * Returns the tree (unshrunk outputs) and, per leaf, the rows that ended there.
   */
  train(rows: Int32Array, grad: Float64Array, hess: Float64Array, features: Int32Array): Tree {
    const p = this.params;
    const nf = this.mappers.length;
    const rootStats = sumStats(rows, grad, hess);
    const tree = new Tree(leafOutput(rootStats.grad, rootStats.hess, p), rootStats.hess, rootStats.count);
    const rootHist = new Histogram(nf);
    rootHist.build(features, this.bins, rows, grad, hess);
    const leaves: LeafState[] = [{ rows, stats: rootStats, hist: rootHist, best: null }];
    leaves[0].best = this.bestSplit(leaves[0], 0, features);

    while (tree.numLeaves < p.num_leaves) {
      // Best-first: highest gain wins, ties go to the lowest leaf index (deterministic).
      let bestLeaf = -1;
      for (let l = 0; l < leaves.length; l++) {
        const b = leaves[l].best;
        if (b && b.gain > 0 && (bestLeaf < 0 || b.gain > leaves[bestLeaf].best!.gain)) bestLeaf = l;
      }
      if (bestLeaf < 0) break;
      const leaf = leaves[bestLeaf];
      const s = leaf.best!;
      const [leftRows, rightRows] = this.partition(leaf.rows, s);
      const rightIndex = tree.split({
        leaf: bestLeaf,
        feature: s.feature,
        thresholdBin: s.thresholdBin,
        threshold: s.threshold,
        missingType: s.missingType,
        defaultLeft: s.defaultLeft,
        gain: s.gain,
        leftValue: leafOutput(s.left.grad, s.left.hess, p),
        rightValue: leafOutput(s.right.grad, s.right.hess, p),
        leftCount: s.left.count,
        rightCount: s.right.count,
        leftWeight: s.left.hess,
        rightWeight: s.right.hess,
      });
      // Histogram of the smaller child is built, the larger one is parent minus smaller (reusing the parent's buffer).
      const leftSmaller = leftRows.length <= rightRows.length;
      const small = new Histogram(nf);
      small.build(features, this.bins, leftSmaller ? leftRows : rightRows, grad, hess);
      const large = leaf.hist;
      large.subtractFrom(leaf.hist, small, features);
      const left: LeafState = { rows: leftRows, stats: s.left, hist: leftSmaller ? small : large, best: null };
      const right: LeafState = { rows: rightRows, stats: s.right, hist: leftSmaller ? large : small, best: null };
      leaves[bestLeaf] = left;
      leaves[rightIndex] = right;
      left.best = this.bestSplit(left, tree.leafDepth[bestLeaf], features);
      right.best = this.bestSplit(right, tree.leafDepth[rightIndex], features);
    }
    return tree;
  }

  private bestSplit(leaf: LeafState, depth: number, features: Int32Array): SplitCandidate | null {
    const p = this.params;
    if (p.max_depth > 0 && depth >= p.max_depth) return null;
    if (leaf.stats.count < 2 * p.min_data_in_leaf) return null;
    return findBestSplit(leaf.hist, leaf.stats, features, this.mappers, p);
  }

  /** Stable partition of a leaf's rows by the split decision on bins. */
  private partition(rows: Int32Array, s: SplitCandidate): [Int32Array, Int32Array] {
    const col = this.bins[s.feature];
    const nanBin = this.mappers[s.feature].nanBin;
    const left = new Int32Array(s.left.count);
    const right = new Int32Array(s.right.count);
    let li = 0;
    let ri = 0;
    for (let j = 0; j < rows.length; j++) {
      const i = rows[j];
      const b = col[i];
      const goLeft = b === nanBin ? s.defaultLeft : b <= s.thresholdBin;
      if (goLeft) left[li++] = i;
      else right[ri++] = i;
    }
    if (li !== left.length || ri !== right.length) throw new Error('internal error: histogram counts disagree with partition');
    return [left, right];
  }
}

function sumStats(rows: Int32Array, grad: Float64Array, hess: Float64Array): LeafStats {
  let g = 0;
  let h = 0;
  for (let j = 0; j < rows.length; j++) {
    g += grad[rows[j]];
    h += hess[rows[j]];
  }
  return { grad: g, hess: h, count: rows.length };
}
