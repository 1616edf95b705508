import { planAugmentation, variantKey } from '../src/lgbm/augment';

describe('planAugmentation', () => {
  const items = ['a', 'b', 'c'];
  const o = { copies: 3, minLongSide: 160, maxLongSide: 400, minQuality: 70, maxQuality: 95, seed: 44 };

  test('original first, then `copies` variants in range, per item', () => {
    const plan = planAugmentation(items, o);
    expect(plan).toHaveLength(12);
    items.forEach((it, k) => {
      const group = plan.slice(k * 4, k * 4 + 4);
      expect(group.every((g) => g.item === it)).toBe(true);
      expect(group[0].variant).toEqual({});
      for (const g of group.slice(1)) {
        expect(g.variant.longSide).toBeGreaterThanOrEqual(160);
        expect(g.variant.longSide).toBeLessThanOrEqual(400);
        expect(g.variant.quality).toBeGreaterThanOrEqual(70);
        expect(g.variant.quality).toBeLessThanOrEqual(95);
      }
    });
  });

  test('reproducible for a seed, different for another', () => {
    const keys = (seed: number) => planAugmentation(items, { ...o, seed }).map((p) => variantKey(p.variant));
    expect(keys(44)).toEqual(keys(44));
    expect(keys(45)).not.toEqual(keys(44));
  });
});
