import { binaryMetrics, formatMetrics, rocAuc } from '../src/common/metrics';

describe('rocAuc', () => {
  test('perfect, inverted and uninformative rankings', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
  });

  test('known value with ties (tie between a positive and a negative counts 1/2)', () => {
    // pairs (pos, neg): (0.8 vs 0.1) 1, (0.8 vs 0.4) 1, (0.4 vs 0.1) 1, (0.4 vs 0.4) 0.5 -> 3.5 / 4
    expect(rocAuc([0.1, 0.4, 0.4, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.875, 12);
  });

  test('matches brute-force pair counting on random data', () => {
    let s = 7;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const scores = Array.from({ length: 300 }, () => Math.round(rnd() * 20) / 20);
    const labels = scores.map((x) => (rnd() < x ? 1 : 0));
    let num = 0;
    let den = 0;
    for (let i = 0; i < 300; i++) for (let j = 0; j < 300; j++) {
      if (labels[i] === 1 && labels[j] === 0) {
        den++;
        num += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
    }
    expect(rocAuc(scores, labels)).toBeCloseTo(num / den, 12);
  });

  test('NaN when only one class is present', () => {
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNaN();
  });
});

describe('binaryMetrics', () => {
  test('confusion matrix and accuracy at the threshold (>= is positive)', () => {
    const m = binaryMetrics([0.9, 0.5, 0.4, 0.2, 0.7, 0.1], [1, 1, 1, 0, 0, 0], 0.5);
    expect(m.confusion).toEqual({ tp: 2, fn: 1, fp: 1, tn: 2 });
    expect(m.n).toBe(6);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    expect(m.auc).toBeCloseTo(7 / 9, 12);
  });

  test('rejects labels other than 0/1 and length mismatches', () => {
    expect(() => binaryMetrics([0.1], [2])).toThrow(/label must be 0 or 1/);
    expect(() => binaryMetrics([0.1, 0.2], [1])).toThrow(/length/);
  });

  test('formatMetrics prints accuracy, AUC and the confusion matrix', () => {
    const text = formatMetrics('valid', binaryMetrics([0.9, 0.1, 0.8, 0.3], [1, 0, 0, 1]));
    expect(text).toContain('accuracy=50.00%');
    expect(text).toContain('auc=0.7500');
    expect(text).toMatch(/actual cataract\s+1\s+1/);
    expect(text).toMatch(/actual normal\s+1\s+1/);
  });
});
