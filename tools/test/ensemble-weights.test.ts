import { cascadeReport, chooseWeights, evaluateGrid, JoinedPrediction, logLoss, weightGrid } from '../src/ensemble/weight-grid';

const row = (label: 0 | 1, lgbm: number, clip: number, file = `f${Math.random()}`): JoinedPrediction => ({
  file,
  label,
  lgbm: { plain: lgbm, reencoded: lgbm },
  clip: { plain: clip, reencoded: clip },
});

describe('ensemble weight grid', () => {
  it('log-loss is the mean cross-entropy, clipped so a certain miss is finite', () => {
    expect(logLoss([0.8, 0.3], [1, 0])).toBeCloseTo((-Math.log(0.8) - Math.log(0.7)) / 2, 12);
    expect(logLoss([0], [1])).toBeCloseTo(-Math.log(1e-7), 9);
    expect(() => logLoss([0.5], [])).toThrow();
  });

  it('the grid runs from clip weight 0 to 1 in exact steps', () => {
    expect(weightGrid(0.25)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(weightGrid(0.05)).toHaveLength(21);
    expect(weightGrid(0.05)[3]).toBe(0.15);
    expect(() => weightGrid(0.3)).toThrow(/divide/);
  });

  it('scores each weighting on the mixed probabilities of both sets', () => {
    const rows = [row(1, 0.6, 0.9), row(0, 0.45, 0.2)];
    const grid = evaluateGrid(rows, 0.5, 0.5);
    expect(grid.map((g) => g.weights)).toEqual([
      { lgbm: 1, clip: 0 },
      { lgbm: 0.5, clip: 0.5 },
      { lgbm: 0, clip: 1 },
    ]);
    expect(grid[1].plain.log_loss).toBeCloseTo(logLoss([0.75, 0.325], [1, 0]), 12);
    expect(grid[1].pooled.n).toBe(4);
  });

  it('chooses the lowest log-loss, or the highest accuracy with ties going to AUC, then log-loss', () => {
    // lgbm: confident and right on three photos, a near miss on the fourth; clip: right on all four, barely.
    const rows = [row(1, 0.95, 0.55), row(1, 0.45, 0.55), row(0, 0.05, 0.45), row(0, 0.05, 0.45)];
    const grid = evaluateGrid(rows, 0.25, 0.5);
    expect(chooseWeights(grid, 'log_loss').weights).toEqual({ lgbm: 1, clip: 0 });
    // 100 % accuracy (and AUC 1) from clip weight 0.5 up; the lowest log-loss among those is 0.5
    const acc = chooseWeights(grid, 'accuracy');
    expect(acc.pooled.accuracy).toBe(1);
    expect(acc.weights).toEqual({ lgbm: 0.5, clip: 0.5 });
  });

  it('reports how often the cascade asks clip and how it then scores', () => {
    const rows = [row(1, 0.95, 0.9), row(1, 0.5, 0.9), row(0, 0.1, 0.4), row(0, 0.7, 0.1)];
    const r = cascadeReport(rows, { lgbm: 0.5, clip: 0.5 }, [0.2, 0.8], 0.5);
    expect(r.plain.clip_call_rate).toBe(0.5); // 0.5 and 0.7 are unsure
    expect(r.plain.accuracy).toBe(1); // 0.95, 0.7, 0.1, 0.4
  });
});
