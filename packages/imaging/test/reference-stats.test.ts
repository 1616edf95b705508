import {
  INPUT_STATISTICS,
  InputStats,
  LGBM_STATS_VIEW,
  PSI_EPSILON,
  binIndex,
  buildReferenceStats,
  buildStatisticReference,
  populationStabilityIndex,
  psiByStatistic,
} from '@cataract/imaging';

const range = (n: number, f: (i: number) => number = (i) => i + 1) => Array.from({ length: n }, (_, i) => f(i));

describe('buildStatisticReference', () => {
  it('1..100: deciles as edges and a tenth of the values per bin', () => {
    const r = buildStatisticReference(range(100));
    expect(r.edges).toHaveLength(9);
    expect(r.edges[0]).toBeCloseTo(10.9, 9); // R type 7: 1 + 0.1 x 99
    expect(r.proportions).toEqual(range(10, () => 0.1));
    expect(r).toMatchObject({ count: 100, min: 1, max: 100, mean: 50.5 });
  });

  it('merges tied quantiles (half the photos 512 px) and keeps the proportions summing to 1', () => {
    const values = [...range(50, () => 512), ...range(50, (i) => 100 + i)];
    const r = buildStatisticReference(values);
    expect(new Set(r.edges).size).toBe(r.edges.length);
    for (let i = 1; i < r.edges.length; i++) expect(r.edges[i]).toBeGreaterThan(r.edges[i - 1]);
    expect(r.edges[r.edges.length - 1]).toBe(512);
    expect(r.proportions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(r.proportions[r.proportions.length - 1]).toBe(0); // nothing above 512
  });

  it('bins are (edge[i-1], edge[i]]: a value on an edge belongs to the lower bin', () => {
    expect(binIndex([1, 2, 3], 0)).toBe(0);
    expect(binIndex([1, 2, 3], 1)).toBe(0);
    expect(binIndex([1, 2, 3], 1.5)).toBe(1);
    expect(binIndex([1, 2, 3], 3)).toBe(2);
    expect(binIndex([1, 2, 3], 4)).toBe(3);
  });
});

describe('populationStabilityIndex', () => {
  const reference = buildStatisticReference(range(1000, (i) => i / 10));

  it('is 0 for the reference sample itself and small for another draw of the same distribution', () => {
    expect(populationStabilityIndex(reference, range(1000, (i) => i / 10))).toBeCloseTo(0, 12);
    expect(populationStabilityIndex(reference, range(500, (i) => i / 5 + 0.05))).toBeLessThan(0.01);
  });

  it('grows with a shift: past 0.25 when half of the values move above the reference range', () => {
    const shifted = range(1000, (i) => i / 10 + 50);
    const psi = populationStabilityIndex(reference, shifted);
    expect(psi).toBeGreaterThan(0.25);
    expect(Number.isFinite(psi)).toBe(true);
  });

  it('an empty bin on either side counts as epsilon, not as an infinite term', () => {
    const r = { edges: [1], proportions: [1, 0] };
    const all = populationStabilityIndex(r, [2, 2, 2, 2]);
    expect(all).toBeCloseTo((1 - PSI_EPSILON) * Math.log(1 / PSI_EPSILON) * 2, 9);
  });

  it('NaN without live values; a malformed reference throws', () => {
    expect(populationStabilityIndex(reference, [])).toBeNaN();
    expect(() => populationStabilityIndex({ edges: [1, 2], proportions: [0.5, 0.5] }, [1])).toThrow(RangeError);
  });
});

describe('buildReferenceStats', () => {
  const sample = (i: number): InputStats => ({ long_side: 512, brightness: 100 + i, colourfulness: 20 + (i % 7), sharpness: 50 * i });
  const samples = range(200, (i) => i).map(sample);

  it('describes every statistic, the view and the sample count in the reference-stats.json format', () => {
    const ref = buildReferenceStats(samples, LGBM_STATS_VIEW, { dir: 'train' });
    expect(ref).toMatchObject({ format: 'cataract-reference-stats', format_version: 1, samples: 200, view: LGBM_STATS_VIEW, source: { dir: 'train' } });
    expect(Object.keys(ref.statistics).sort()).toEqual([...INPUT_STATISTICS].sort());
    expect(ref.statistics.long_side.edges).toEqual([512]);
    expect(JSON.parse(JSON.stringify(ref))).toEqual(ref);
  });

  it('psiByStatistic flags only the statistic that moved', () => {
    const ref = buildReferenceStats(samples, LGBM_STATS_VIEW);
    const live = range(100, (i) => i * 2).map((i) => ({ ...sample(i), brightness: 250 }));
    const psi = psiByStatistic(ref, live);
    expect(psi.brightness).toBeGreaterThan(0.25);
    expect(psi.sharpness).toBeLessThan(0.1);
    expect(psi.long_side).toBeCloseTo(0, 12);
  });

  it('refuses no samples and non-finite values', () => {
    expect(() => buildReferenceStats([], LGBM_STATS_VIEW)).toThrow(RangeError);
    expect(() => buildReferenceStats([{ ...sample(1), sharpness: NaN }], LGBM_STATS_VIEW)).toThrow(/sharpness/);
  });
});
