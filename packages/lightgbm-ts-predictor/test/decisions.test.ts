/**
 * Split rules pinned on hand-made models (LightGBM tree.h NumericalDecision / CategoricalDecision).
 */
import { loadModel } from '../src';
import { fixture } from './helpers';

/**
 * numerical-missing.v3.txt: tree t splits feature t and its right leaf is 2^t (left leaf 0),
 * so each prediction is a bitmask of which trees sent the row right.
 *   t0 missing None,  threshold 0.5   t1 missing None, threshold -0.5
 *   t2 missing Zero,  default left, threshold -1    t3 missing Zero, default right, threshold 1
 *   t4 missing NaN,   default left, threshold -1    t5 missing NaN,  default right, threshold 1
 *   t6 missing None with the default-left bit set (must be ignored), threshold -0.5
 */
describe('numerical splits: missing types and default direction', () => {
  const model = loadModel(fixture('numerical-missing.v3.txt'));
  const RIGHT = (...trees: number[]): number => trees.reduce((sum, t) => sum + 2 ** t, 0);
  const all = (v: number): number[] => new Array(7).fill(v);

  it('NaN: read as 0 unless missing type is NaN, then it takes the default direction', () => {
    // t0: 0 <= 0.5 left; t1: 0 > -0.5 right; t2: NaN->0 is zero -> default left; t3: default right;
    // t4: NaN default left; t5: NaN default right; t6: 0 > -0.5 right.
    expect(model.predict(all(NaN))[0]).toBe(RIGHT(1, 3, 5, 6));
  });

  it('zero: default direction only for missing type Zero; NaN-type splits compare 0 normally', () => {
    // t2: zero -> left although 0 > -1; t3: zero -> right although 0 <= 1;
    // t4: 0 > -1 right (not missing); t5: 0 <= 1 left.
    expect(model.predict(all(0))[0]).toBe(RIGHT(1, 3, 4, 6));
    expect(model.predict(all(-0))[0]).toBe(RIGHT(1, 3, 4, 6));
  });

  it('"is zero" means |x| <= kZeroThreshold = 1e-35, bounds included', () => {
    expect(model.predict(all(1e-36))[0]).toBe(RIGHT(1, 3, 4, 6));
    expect(model.predict(all(-1e-35))[0]).toBe(RIGHT(1, 3, 4, 6));
    expect(model.predict(all(1e-35))[0]).toBe(RIGHT(1, 3, 4, 6));
    // 2e-35 is not zero: t2 compares 2e-35 > -1 -> right, t3 compares 2e-35 <= 1 -> left.
    expect(model.predict(all(2e-35))[0]).toBe(RIGHT(1, 2, 4, 6));
    expect(model.predict(all(-2e-35))[0]).toBe(RIGHT(1, 2, 4, 6));
  });

  it('a value equal to the threshold goes left (<=)', () => {
    expect(model.predict([0.5, -0.5, -1, 1, -1, 1, -0.5])[0]).toBe(0);
  });

  it('ordinary values follow the threshold', () => {
    expect(model.predict(all(100))[0]).toBe(RIGHT(0, 1, 2, 3, 4, 5, 6));
    expect(model.predict(all(-100))[0]).toBe(0);
    expect(model.predict(all(Infinity))[0]).toBe(RIGHT(0, 1, 2, 3, 4, 5, 6));
    expect(model.predict(all(-Infinity))[0]).toBe(0);
  });
});

/**
 * categorical.v4.txt:
 *   tree 0: feature 0 in {1, 3, 40} -> 0 else 1; bitset words [10, 256] (two 32-bit words)
 *   tree 1: node0 feature 1 in {0, 2} (missing type NaN) -> node1 else node2
 *           node1 feature 2 in {5, 33} (bitset [32, 2]) -> 10 else 20
 *           node2 feature 3 <= 0.5 -> 30 else 40
 */
describe('categorical splits', () => {
  const model = loadModel(fixture('categorical.v4.txt'));
  const p = (row: number[]): number => model.predict(row)[0] as number;

  it('categories in a multi-word bitset go left (1, 3 in word 0; 40 in word 1)', () => {
    expect(p([1, 0, 5, 0])).toBe(0 + 10);
    expect(p([3, 2, 33, 0])).toBe(0 + 10);
    expect(p([40, 2, 34, 0])).toBe(0 + 20);
  });

  it('categories outside the set, past the bitset, negative or NaN go right', () => {
    expect(p([2, 1, 5, 0])).toBe(1 + 30);
    expect(p([41, 1, 5, 1])).toBe(1 + 40);
    expect(p([64, 1, 5, 0])).toBe(1 + 30); // word 2 does not exist
    expect(p([-1, -1, 5, 0])).toBe(1 + 30);
    expect(p([NaN, 0, NaN, 0])).toBe(1 + 20);
  });

  it('NaN goes right even where the missing type is NaN and 0 is in the set', () => {
    expect(p([1, NaN, 5, 1])).toBe(0 + 40);
  });

  it('the value is truncated toward zero like a C++ int cast', () => {
    expect(p([1.7, 0, 33.9, 0])).toBe(0 + 10);
    expect(p([3.99, 2.5, 5.2, 0])).toBe(0 + 10);
    // -0.5 truncates to category 0, which is in tree 1's set.
    expect(p([2, -0.5, 5, 0])).toBe(1 + 10);
  });

  it('values beyond the int range and infinities go right', () => {
    expect(p([3e9, 2, 64, 0])).toBe(1 + 20);
    expect(p([Infinity, 0, -Infinity, 0])).toBe(1 + 20);
    expect(p([2 ** 31 + 1, 2 ** 32, 5, 0])).toBe(1 + 30);
  });
});
