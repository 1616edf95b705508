import { createRng } from '@cataract/gbdt-trainer';
import { expectedCalibrationError, logLoss } from '../src/cv/calibration';
import { betaMap, CALIBRATOR_NAMES, crossFitCalibrator, fitBeta, fitCalibrator, fitIsotonic, fitTemperature, isotonicMap } from '../src/cv/calibrators';
import { repeatedGroupedFolds } from '../src/cv/folds';

const sig = (z: number) => 1 / (1 + Math.exp(-z));

/** Scores whose true P(y = 1) is truth(p). */
function sample(n: number, seed: number, truth: (p: number) => number) {
  const rng = createRng(seed);
  const p: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = sig((rng() * 2 - 1) * 6);
    p.push(v);
    y.push(rng() < truth(v) ? 1 : 0);
  }
  return { p, y };
}

describe('calibration maps', () => {
  it('temperature scaling recovers the slope of an over-confident model', () => {
    // True log-odds are a third of the model's.
    const { p, y } = sample(4000, 5, (v) => sig(Math.log(v / (1 - v)) / 3));
    expect(fitTemperature(p, y)).toBeCloseTo(1 / 3, 1);
  });

  it('beta calibration recovers a, b, c of a beta-shaped miscalibration and keeps both slopes >= 0', () => {
    const k = { a: 0.6, b: 1.4, c: 0.3 };
    const { p, y } = sample(6000, 11, (v) => betaMap(v, k));
    const fit = fitBeta(p, y);
    expect(fit.a).toBeCloseTo(k.a, 0);
    expect(fit.b).toBeCloseTo(k.b, 0);
    expect(Math.abs(fit.a - k.a) + Math.abs(fit.b - k.b)).toBeLessThan(0.3);
    // Anti-correlated scores on one side: that slope is fixed at 0 rather than turning the map around.
    const odd = fitBeta([0.1, 0.2, 0.3, 0.7, 0.8, 0.9, 0.95, 0.05], [1, 1, 0, 0, 1, 1, 1, 0]);
    expect(odd.a).toBeGreaterThanOrEqual(0);
    expect(odd.b).toBeGreaterThanOrEqual(0);
  });

  it('isotonic regression pools adjacent violators, interpolates, and stays off 0 and 1', () => {
    const f = fitIsotonic([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0, 1, 0, 1, 1, 1]);
    // 0.1 -> 0; (0.2, 0.3) pool to 0.5 at x 0.25; then 1s pool at 0.5.
    expect(f.y).toEqual([0, 0.5, 1]);
    expect(f.x.map((v) => +v.toFixed(10))).toEqual([0.1, 0.25, 0.5]);
    expect(isotonicMap(0.25, f)).toBeCloseTo(0.5, 12);
    expect(isotonicMap(0.375, f)).toBeCloseTo(0.75, 12);
    expect(isotonicMap(0.01, f)).toBeCloseTo(0.5 / 6, 12);
    expect(isotonicMap(0.99, f)).toBeCloseTo(1 - 0.5 / 6, 12);
    // Ties are one block.
    expect(fitIsotonic([0.3, 0.3, 0.6], [0, 1, 1]).x).toHaveLength(2);
  });

  it('every map is monotone and lowers the ECE of a miscalibrated model; none is the identity', () => {
    const { p, y } = sample(3000, 17, (v) => sig(0.5 * Math.log(v / (1 - v)) + 0.8));
    const grid = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
    for (const name of CALIBRATOR_NAMES) {
      const map = fitCalibrator(name, p, y);
      const out = grid.map(map);
      for (let i = 1; i < out.length; i++) expect(out[i]).toBeGreaterThanOrEqual(out[i - 1] - 1e-12);
      if (name === 'none') expect(out).toEqual(grid);
      else if (name !== 'temperature') {
        // Temperature has no shift, so it cannot undo the +0.8 offset fully; the others can.
        const calibrated = p.map(map);
        expect(expectedCalibrationError(calibrated, y)).toBeLessThan(expectedCalibrationError(p, y) / 2);
        expect(logLoss(calibrated, y)).toBeLessThan(logLoss(p, y));
      }
    }
  });

  it('cross-fitting maps each fold with a fit on the other folds only', () => {
    const { p, y } = sample(300, 23, (v) => sig(0.5 * Math.log(v / (1 - v))));
    const plan = repeatedGroupedFolds(y, y.map((_, i) => i), 5, 2, 3);
    const folds = y.map((_, i) => plan.fold.map((f) => f[i]));
    const scores = [p, p.map((v) => Math.min(1, v * 1.1))];
    const out = crossFitCalibrator('beta', scores, y, folds, 5);
    const r = 1;
    const f = 2;
    const fit = y.map((_, i) => i).filter((i) => folds[i][r] !== f);
    const map = fitCalibrator('beta', fit.map((i) => scores[r][i]), fit.map((i) => y[i]));
    y.forEach((_, i) => folds[i][r] === f && expect(out[r][i]).toBeCloseTo(map(scores[r][i]), 12));
  });
});
