import { BinMapper, MissingType } from '../src/binning';

describe('BinMapper', () => {
  test('few distinct values: one bin each, bounds are midpoints, last bound +Infinity', () => {
    const col = [1, 1, 1, 2, 2, 2, 4, 4, 4];
    const m = BinMapper.fit(col, 255, 3);
    expect(Array.from(m.upperBounds)).toEqual([1.5, 3, Infinity]);
    expect(m.missingType).toBe(MissingType.None);
    expect(m.infoString(String)).toBe('[1:4]');
    expect(col.map((v) => m.valueToBin(v))).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
  });

  test('min_data_in_bin merges sparse values forward', () => {
    const m = BinMapper.fit([1, 2, 3, 3, 3, 4, 4, 4], 255, 3);
    // 1 and 2 alone are too few (2 rows < 3), they join 3.
    expect(Array.from(m.upperBounds)).toEqual([3.5, Infinity]);
  });

  test('many distinct values are cut into at most max_bin roughly equal-count bins', () => {
    const col = Array.from({ length: 10000 }, (_, i) => Math.sin(i) * 1000);
    const m = BinMapper.fit(col, 16, 3);
    expect(m.numValueBins).toBeLessThanOrEqual(16);
    expect(m.numValueBins).toBeGreaterThanOrEqual(12);
    const counts = new Array(m.numValueBins).fill(0);
    for (const v of col) counts[m.valueToBin(v)]++;
    for (const c of counts) expect(c).toBeGreaterThan(10000 / 16 / 2);
  });

  test('a bin index equals "value <= upper bound" for every value (the split rule the model file uses)', () => {
    const col = Array.from({ length: 3000 }, (_, i) => Math.round(Math.cos(i * 7) * 50) / 7);
    const m = BinMapper.fit(col, 32, 3);
    for (const v of col) {
      const b = m.valueToBin(v);
      expect(v <= m.upperBounds[b]).toBe(true);
      if (b > 0) expect(v > m.upperBounds[b - 1]).toBe(true);
    }
  });

  test('NaN gets its own bin after the value bins', () => {
    const m = BinMapper.fit([NaN, 1, 2, 3, NaN], 255, 1);
    expect(m.missingType).toBe(MissingType.NaN);
    expect(m.nanBin).toBe(m.numValueBins);
    expect(m.valueToBin(NaN)).toBe(m.nanBin);
    expect(m.numBins).toBe(m.numValueBins + 1);
  });

  test('a constant feature is trivial and reported as none', () => {
    const m = BinMapper.fit([5, 5, 5, 5], 255, 3);
    expect(m.isTrivial).toBe(true);
    expect(m.infoString(String)).toBe('none');
  });

  test('adjacent doubles still split correctly (midpoint never rounds up to the larger value)', () => {
    const a = 1;
    const b = 1 + Number.EPSILON;
    const m = BinMapper.fit([a, a, a, b, b, b], 255, 1);
    expect(m.valueToBin(a)).toBe(0);
    expect(m.valueToBin(b)).toBe(1);
    expect(a <= m.upperBounds[0] && b > m.upperBounds[0]).toBe(true);
  });
});
