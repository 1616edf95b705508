import { calibrate } from '@cataract/contracts';
import { createRng } from '@cataract/gbdt-trainer';
import { expectedCalibrationError, fitPlatt, reliabilityBins } from '../src/cv/calibration';
import { foldSplit, repeatedGroupedFolds } from '../src/cv/folds';
import { groupByHash, hammingDistance } from '../src/cv/near-duplicates';
import { reliabilitySvg } from '../src/cv/reliability-diagram';
import { crossFitCalibration, cvFigures, spread } from '../src/cv/summary';

describe('near-duplicate groups', () => {
  it('counts differing bits and links hashes within the distance transitively', () => {
    expect(hammingDistance(0b1011n, 0b0010n)).toBe(2);
    expect(hammingDistance(2n ** 63n, 0n)).toBe(1);
    // a-b and b-c differ by 2 bits, a-c by 4 (linked through b), d by 40 from a
    const [a, b, c, d] = [0n, 0b11n, 0b1111n, 2n ** 40n - 1n];
    expect(groupByHash([a, b, c, d], 2)).toEqual([0, 0, 0, 1]);
    expect(groupByHash([a, b, c, d], 1)).toEqual([0, 1, 2, 3]);
  });
});

describe('repeatedGroupedFolds', () => {
  const labels: number[] = [];
  const groups: number[] = [];
  for (let g = 0; g < 60; g++) for (let k = 0; k < 1 + (g % 3); k++) {
    labels.push(g < 30 ? 1 : 0);
    groups.push(g);
  }
  const plan = repeatedGroupedFolds(labels, groups, 5, 3, 42);

  it('keeps every group in one fold, in every repeat, and the class mix in every fold', () => {
    expect(plan.fold).toHaveLength(3);
    for (const f of plan.fold) {
      const foldsOfGroup = new Map<number, Set<number>>();
      groups.forEach((g, i) => foldsOfGroup.set(g, (foldsOfGroup.get(g) ?? new Set()).add(f[i])));
      for (const s of foldsOfGroup.values()) expect(s.size).toBe(1);
      for (let k = 0; k < 5; k++) {
        const held = labels.filter((_, i) => f[i] === k);
        expect(held.length).toBeGreaterThanOrEqual(20);
        expect(held.length).toBeLessThanOrEqual(28);
        expect(held.filter((l) => l === 1).length).toBeGreaterThanOrEqual(10);
      }
    }
  });

  it('reshuffles per repeat, deterministically, and splits fit / held', () => {
    expect(Array.from(plan.fold[0])).not.toEqual(Array.from(plan.fold[1]));
    expect(repeatedGroupedFolds(labels, groups, 5, 3, 42).fold.map((f) => Array.from(f))).toEqual(plan.fold.map((f) => Array.from(f)));
    const { fit, held } = foldSplit(plan, 1, 2);
    expect(fit.length + held.length).toBe(labels.length);
    expect(held.every((i) => plan.fold[1][i] === 2)).toBe(true);
    expect(() => repeatedGroupedFolds(labels, groups, 1, 1, 1)).toThrow(RangeError);
  });
});

describe('calibration', () => {
  // Over-confident scores: the true P(y=1) is sigmoid(z / 3) but the model says sigmoid(z).
  const rng = createRng(3);
  const p: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < 4000; i++) {
    const z = (rng() * 2 - 1) * 6;
    p.push(1 / (1 + Math.exp(-z)));
    y.push(rng() < 1 / (1 + Math.exp(-z / 3)) ? 1 : 0);
  }

  it('Platt scaling recovers the scale and lowers the expected calibration error', () => {
    const c = fitPlatt(p, y);
    expect(c.a).toBeCloseTo(1 / 3, 1);
    expect(Math.abs(c.b)).toBeLessThan(0.15);
    const after = p.map((v) => calibrate(v, c));
    expect(expectedCalibrationError(after, y)).toBeLessThan(0.03);
    expect(expectedCalibrationError(p, y)).toBeGreaterThan(0.08);
  });

  it('bins and ECE follow their definition', () => {
    const bins = reliabilityBins([0.05, 0.15, 0.95, 0.91], [0, 1, 1, 1], 10);
    expect(bins[0]).toMatchObject({ n: 1, frequency: 0 });
    expect(bins[9].n).toBe(2);
    expect(bins[9].confidence).toBeCloseTo(0.93, 12);
    // |0.05-0| + |0.15-1| + 2*|0.93-1|, over 4
    expect(expectedCalibrationError([0.05, 0.15, 0.95, 0.91], [0, 1, 1, 1])).toBeCloseTo((0.05 + 0.85 + 0.14) / 4, 12);
    expect(reliabilitySvg('t', [{ name: 'raw', color: '#000', bins, ece: 0.26 }])).toContain('ECE 0.2600');
  });

  it('cross-fitted calibration uses only the other folds, and the figures are means over repeats and folds', () => {
    const labels = y.slice(0, 200);
    const raw = [p.slice(0, 200), p.slice(200, 400).map((v, i) => (i % 2 ? v : 1 - v))];
    const plan = repeatedGroupedFolds(labels, labels.map((_, i) => i), 4, 2, 1);
    const { calibrated } = crossFitCalibration(plan, labels, raw);
    // Fold 0 of repeat 0: calibrated with a fit on folds 1-3 only.
    const { fit, held } = foldSplit(plan, 0, 0);
    const c = fitPlatt(fit.map((i) => raw[0][i]), fit.map((i) => labels[i]));
    held.forEach((i) => expect(calibrated[0][i]).toBeCloseTo(calibrate(raw[0][i], c), 12));
    const fig = cvFigures(plan, labels, raw, 0.5);
    const acc = raw.map((r) => r.filter((v, i) => (v >= 0.5 ? 1 : 0) === labels[i]).length / 200);
    expect(fig.per_repeat.accuracy.mean).toBeCloseTo((acc[0] + acc[1]) / 2, 12);
    expect(fig.per_repeat.accuracy.sd).toBeCloseTo(spread(acc).sd, 12);
    expect(spread([1, 3]).sd).toBeCloseTo(Math.SQRT2, 12);
  });
});
