/**
 * A regression tree in LightGBM's own array layout (so writing it is a direct dump):
 * internal node k is created by the k-th split; children >= 0 are nodes, < 0 are ~leafIndex.
 * Splitting leaf L keeps the left part as leaf L and makes the right part leaf `numLeaves`.
 */
import { MissingType } from './binning';

/** decision_type bits, as in LightGBM's tree.h */
export const kCategoricalMask = 1;
export const kDefaultLeftMask = 2;
/** LightGBM rounds tiny leaf values to exactly zero. */
const kZeroThreshold = 1e-35;
const maybeRoundToZero = (x: number): number => (x > -kZeroThreshold && x < kZeroThreshold ? 0 : x);

export interface SplitRecord {
  leaf: number;
  feature: number;
  thresholdBin: number;
  threshold: number;
  missingType: MissingType;
  defaultLeft: boolean;
  gain: number;
  leftValue: number;
  rightValue: number;
  leftCount: number;
  rightCount: number;
  leftWeight: number;
  rightWeight: number;
}

export class Tree {
  numLeaves = 1;
  splitFeature: number[] = [];
  splitGain: number[] = [];
  threshold: number[] = [];
  thresholdBin: number[] = [];
  decisionType: number[] = [];
  leftChild: number[] = [];
  rightChild: number[] = [];
  internalValue: number[] = [];
  internalWeight: number[] = [];
  internalCount: number[] = [];
  leafValue: number[];
  leafWeight: number[];
  leafCount: number[];
  leafDepth: number[] = [0];
  leafParent: number[] = [-1];
  shrinkage = 1;

  constructor(rootValue = 0, rootWeight = 0, rootCount = 0) {
    this.leafValue = [rootValue];
    this.leafWeight = [rootWeight];
    this.leafCount = [rootCount];
  }

  /** Splits leaf `s.leaf`; returns the index of the new (right) leaf. */
  split(s: SplitRecord): number {
    const node = this.numLeaves - 1;
    const parent = this.leafParent[s.leaf];
    if (parent >= 0) {
      if (this.leftChild[parent] === ~s.leaf) this.leftChild[parent] = node;
      else this.rightChild[parent] = node;
    }
    this.splitFeature[node] = s.feature;
    // LightGBM stores split gains as float32.
    this.splitGain[node] = Math.fround(s.gain);
    this.threshold[node] = s.threshold;
    this.thresholdBin[node] = s.thresholdBin;
    this.decisionType[node] = (s.defaultLeft ? kDefaultLeftMask : 0) | (s.missingType << 2);
    this.leftChild[node] = ~s.leaf;
    const right = this.numLeaves;
    this.rightChild[node] = ~right;
    this.internalValue[node] = this.leafValue[s.leaf];
    this.internalWeight[node] = s.leftWeight + s.rightWeight;
    this.internalCount[node] = s.leftCount + s.rightCount;
    this.leafParent[s.leaf] = node;
    this.leafParent[right] = node;
    this.leafValue[s.leaf] = Number.isNaN(s.leftValue) ? 0 : s.leftValue;
    this.leafWeight[s.leaf] = s.leftWeight;
    this.leafCount[s.leaf] = s.leftCount;
    this.leafValue[right] = Number.isNaN(s.rightValue) ? 0 : s.rightValue;
    this.leafWeight[right] = s.rightWeight;
    this.leafCount[right] = s.rightCount;
    this.leafDepth[right] = this.leafDepth[s.leaf] + 1;
    this.leafDepth[s.leaf]++;
    this.numLeaves++;
    return right;
  }

  /** Multiplies outputs by the learning rate (LightGBM's Tree::Shrinkage). */
  applyShrinkage(rate: number): void {
    for (let i = 0; i < this.numLeaves; i++) this.leafValue[i] = maybeRoundToZero(this.leafValue[i] * rate);
    for (let i = 0; i < this.numLeaves - 1; i++) this.internalValue[i] = maybeRoundToZero(this.internalValue[i] * rate);
    this.shrinkage *= rate;
  }

  /** Folds a constant (the boost-from-average init score) into every output; LightGBM then reports shrinkage 1. */
  addBias(value: number): void {
    for (let i = 0; i < this.numLeaves; i++) this.leafValue[i] = maybeRoundToZero(this.leafValue[i] + value);
    for (let i = 0; i < this.numLeaves - 1; i++) this.internalValue[i] = maybeRoundToZero(this.internalValue[i] + value);
    this.shrinkage = 1;
  }

  get maxDepth(): number {
    return this.numLeaves === 1 ? 0 : Math.max(...this.leafDepth.slice(0, this.numLeaves));
  }

  /** Leaf index for a raw feature row, with LightGBM's numerical decision rules (NaN/missing handling). */
  leafIndex(row: ArrayLike<number>): number {
    if (this.numLeaves === 1) return 0;
    let node = 0;
    while (node >= 0) {
      let v = row[this.splitFeature[node]];
      const dt = this.decisionType[node];
      const missingType = (dt >> 2) & 3;
      if (Number.isNaN(v) && missingType !== MissingType.NaN) v = 0;
      if ((missingType === MissingType.Zero && Math.abs(v) <= kZeroThreshold) || (missingType === MissingType.NaN && Number.isNaN(v))) {
        node = dt & kDefaultLeftMask ? this.leftChild[node] : this.rightChild[node];
      } else {
        node = v <= this.threshold[node] ? this.leftChild[node] : this.rightChild[node];
      }
    }
    return ~node;
  }

  predict(row: ArrayLike<number>): number {
    return this.leafValue[this.leafIndex(row)];
  }

  /** Leaf index from binned data: bins[f][i] is row i's bin of feature f; nanBins[f] is the NaN bin or -1. */
  leafIndexBinned(bins: readonly Uint8Array[], nanBins: ArrayLike<number>, i: number): number {
    if (this.numLeaves === 1) return 0;
    let node = 0;
    while (node >= 0) {
      const f = this.splitFeature[node];
      const b = bins[f][i];
      if (b === nanBins[f]) node = this.decisionType[node] & kDefaultLeftMask ? this.leftChild[node] : this.rightChild[node];
      else node = b <= this.thresholdBin[node] ? this.leftChild[node] : this.rightChild[node];
    }
    return ~node;
  }
}
