/**
 * Repeated, stratified, grouped k-fold assignment over photos. Every repeat reshuffles (seed +
 * repeat); within each label, groups are dealt in shuffled order to the fold holding the fewest
 * photos of that label so far, so folds keep the class mix and near-equal size while a group (a
 * photo's near-duplicates) always stays in one fold. A group's label is its majority label.
 */
import { shuffled } from '../common/dataset';

export interface FoldPlan {
  k: number;
  repeats: number;
  seed: number;
  /** fold[r][i]: the fold of photo i in repeat r. */
  fold: Int32Array[];
}

export function repeatedGroupedFolds(labels: ArrayLike<number>, groups: ArrayLike<number>, k: number, repeats: number, seed: number): FoldPlan {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`k must be an integer >= 2, got ${k}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`repeats must be a positive integer, got ${repeats}`);
  const members = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) members.set(groups[i], [...(members.get(groups[i]) ?? []), i]);
  const groupLabel = new Map<number, number>();
  for (const [g, idx] of members) {
    const positives = idx.filter((i) => labels[i] === 1).length;
    groupLabel.set(g, positives * 2 >= idx.length ? 1 : 0);
  }
  const ids = [...members.keys()].sort((a, b) => a - b);
  const fold: Int32Array[] = [];
  for (let r = 0; r < repeats; r++) {
    const f = new Int32Array(labels.length);
    for (const label of [0, 1]) {
      const load = new Array<number>(k).fill(0);
      for (const g of shuffled(ids.filter((g) => groupLabel.get(g) === label), seed + 1000 * r + label)) {
        const target = load.indexOf(Math.min(...load));
        for (const i of members.get(g)!) f[i] = target;
        load[target] += members.get(g)!.length;
      }
    }
    fold.push(f);
  }
  return { k, repeats, seed, fold };
}

/** Photo indices of fold `f` in repeat `r` (held out) and the rest (fitted). */
export function foldSplit(plan: FoldPlan, r: number, f: number): { fit: number[]; held: number[] } {
  const fit: number[] = [];
  const held: number[] = [];
  plan.fold[r].forEach((x, i) => (x === f ? held : fit).push(i));
  return { fit, held };
}
