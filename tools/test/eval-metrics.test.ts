import { confusion, expectedCalibrationError, figures, labelChangeShare, type Answer } from '../src/eval/metrics';
import { parsePredictionRuns } from '../src/eval/predictions-input';
import { formatSection, stat, summarize } from '../src/eval/report';

const a = (actual: 0 | 1, p: number, threshold = 0.5): Answer => ({ actual, p, predicted: p >= threshold ? 1 : 0 });

describe('confusion', () => {
  test('counts each cell from the answered label, not from P', () => {
    const answers: Answer[] = [a(1, 0.9), a(1, 0.2), a(0, 0.7), a(0, 0.1), a(0, 0.3), { actual: 1, predicted: 1, p: 0.1 }];
    expect(confusion(answers)).toEqual({ tp: 2, fn: 1, fp: 1, tn: 2 });
  });
});

describe('expectedCalibrationError', () => {
  test('0 when every bin says how often cataract is the answer', () => {
    // bin [0.2, 0.3): P 0.25 four times, one cataract in four; bin [0.7, 0.8): P 0.75, three in four
    expect(expectedCalibrationError([0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75], [1, 0, 0, 0, 1, 1, 1, 0])).toBeCloseTo(0, 12);
  });

  test('known value: photo-weighted |mean P - cataract share| per bin', () => {
    // bin 9: P 0.9, 0.95 -> mean 0.925, both cataract -> |0.925 - 1| = 0.075, weight 2/4
    // bin 1: P 0.1, 0.1 -> mean 0.1, one cataract -> |0.1 - 0.5| = 0.4, weight 2/4
    expect(expectedCalibrationError([0.9, 0.95, 0.1, 0.1], [1, 1, 1, 0])).toBeCloseTo(0.5 * 0.075 + 0.5 * 0.4, 12);
  });

  test('P = 1 falls in the last bin, confident and wrong is the worst case', () => {
    expect(expectedCalibrationError([1, 1], [0, 0])).toBe(1);
    expect(expectedCalibrationError([0, 1], [0, 1])).toBe(0);
  });

  test('the bin count matters: one bin compares only the overall mean', () => {
    expect(expectedCalibrationError([0.1, 0.9], [0, 1], 1)).toBeCloseTo(0, 12);
    expect(expectedCalibrationError([0.1, 0.9], [0, 1], 10)).toBeCloseTo(0.1, 12);
  });

  test('rejects probabilities outside [0, 1], mismatched lengths and bad bins; NaN for no photos', () => {
    expect(() => expectedCalibrationError([1.2], [1])).toThrow(RangeError);
    expect(() => expectedCalibrationError([0.2], [1, 0])).toThrow(RangeError);
    expect(() => expectedCalibrationError([0.2], [1], 0)).toThrow(RangeError);
    expect(expectedCalibrationError([], [])).toBeNaN();
  });
});

describe('figures', () => {
  test('accuracy from the confusion, AUC from the ranking of P', () => {
    // ranking: positives 0.9, 0.4; negatives 0.6, 0.1 -> pairs won: (0.9>0.6, 0.9>0.1, 0.4>0.1) = 3 of 4
    const f = figures([a(1, 0.9), a(1, 0.4), a(0, 0.6), a(0, 0.1)]);
    expect(f.n).toBe(4);
    expect(f.accuracy).toBe(0.5);
    expect(f.auc).toBeCloseTo(0.75, 12);
    expect(f.confusion).toEqual({ tp: 1, fn: 1, fp: 1, tn: 1 });
  });

  test('AUC is NaN with one class only', () => {
    expect(figures([a(1, 0.9), a(1, 0.4)]).auc).toBeNaN();
  });
});

describe('labelChangeShare', () => {
  test('share of photos answered differently, whatever the truth', () => {
    const base = [a(1, 0.9), a(1, 0.55), a(0, 0.2), a(0, 0.6)];
    const other = [a(1, 0.8), a(1, 0.45), a(0, 0.3), a(0, 0.4)];
    expect(labelChangeShare(base, other)).toBe(0.5);
    expect(labelChangeShare(base, base)).toBe(0);
    expect(() => labelChangeShare(base, other.slice(1))).toThrow(RangeError);
  });
});

describe('summarize', () => {
  const asSent = [[a(1, 0.9), a(1, 0.55), a(0, 0.2), a(0, 0.6)], [a(1, 0.8), a(1, 0.7), a(0, 0.1), a(0, 0.3)]];
  const jpeg = [[a(1, 0.9), a(1, 0.45), a(0, 0.2), a(0, 0.6)], [a(1, 0.8), a(1, 0.7), a(0, 0.1), a(0, 0.3)]];
  const s = summarize({ title: 'm', files: ['c1', 'c2', 'n1', 'n2'], runs: asSent, variants: [{ title: 'JPEG q90', runs: jpeg }] });

  test('mean ± sd over runs, confusion summed over runs', () => {
    expect(s.runs).toBe(2);
    expect(s.asSent.accuracy.mean).toBeCloseTo((0.75 + 1) / 2, 12);
    expect(s.asSent.accuracy.sd).toBeCloseTo(stat([0.75, 1]).sd, 12);
    expect(stat([0.75, 1]).sd).toBeCloseTo(Math.SQRT1_2 * 0.25, 12);
    expect(s.asSent.confusion).toEqual({ tp: 4, fn: 0, fp: 1, tn: 3 });
  });

  test('label changes per form and in any form, and which photos', () => {
    expect(s.variants[0].labelChanged!.mean).toBeCloseTo(0.125, 12); // 1 of 4 in run 1, 0 in run 2
    expect(s.labelChangedAny!.mean).toBeCloseTo(0.125, 12);
    expect(s.unstable).toEqual(['c2']);
    expect(s.wrong).toEqual(['n2']);
    const text = formatSection(s);
    expect(text).toContain('accuracy 87.50 % ± 17.68');
    expect(text).toContain('JPEG q90');
  });

  test('refuses runs of different shapes', () => {
    expect(() => summarize({ title: 'm', files: ['x'], runs: asSent, variants: [] })).toThrow(RangeError);
  });
});

describe('parsePredictionRuns', () => {
  test('single-value files: p, p_reencoded_256 and the file threshold', () => {
    const r = parsePredictionRuns(
      { threshold: 0.6, predictions: [{ file: 'cataract/a.jpg', label: 'cataract', p: 0.55, p_reencoded_256: 0.7 }, { file: 'normal/b.jpg', label: 'normal', p: 0.1, p_reencoded_256: 0.2 }] },
      'x.json',
    );
    expect(r.column).toBe('p');
    expect(r.runs).toEqual([[{ actual: 1, predicted: 0, p: 0.55 }, { actual: 0, predicted: 0, p: 0.1 }]]);
    expect(r.reencodedRuns?.[0]?.[0]).toEqual({ actual: 1, predicted: 1, p: 0.7 });
  });

  test('per-repeat files: calibrated by default, raw on request; no re-encoded column means no variant', () => {
    const doc = { predictions: [{ file: 'c.jpg', label: 'cataract', raw: [0.4, 0.6], calibrated: [0.45, 0.65] }, { file: 'n.jpg', label: 'normal', raw: [0.2, 0.1], calibrated: [0.25, 0.15] }] };
    const r = parsePredictionRuns(doc, 'oof.json');
    expect(r.column).toBe('calibrated');
    expect(r.runs.map((run) => run.map((x) => x.p))).toEqual([[0.45, 0.25], [0.65, 0.15]]);
    expect(r.reencodedRuns).toBeUndefined();
    expect(parsePredictionRuns(doc, 'oof.json', 'raw').runs[1][0]).toEqual({ actual: 1, predicted: 1, p: 0.6 });
  });

  test('clear errors for other documents and a missing column', () => {
    expect(() => parsePredictionRuns({ rows: [] }, 'bad.json')).toThrow(/bad.json: not a predictions file/);
    expect(() => parsePredictionRuns({ predictions: [{ file: 'a', label: 'cataract', p: 0.2 }] }, 'p.json', 'raw')).toThrow(/needs "raw"/);
    expect(() => parsePredictionRuns({ predictions: [{ file: 'a', label: 'cataract', raw: [0.2] }, { file: 'b', label: 'normal', raw: [0.2, 0.3] }] }, 'r.json')).toThrow(/different lengths/);
  });
});
