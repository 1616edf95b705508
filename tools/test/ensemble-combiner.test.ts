import { createRng } from '@cataract/gbdt-trainer';
import { combine, fitCombiner } from '../src/ensemble/combiners';
import { solve } from '../src/cv/small-logistic';
import { cascade, nestedPredictions, planOf, score, type JoinedPhoto } from '../src/ensemble/evaluate';

/** Two members whose log-odds are noisy views of one latent score; clip is the sharper one. */
function photos(n: number, seed = 9): JoinedPhoto[] {
  const rng = createRng(seed);
  const sig = (z: number) => 1 / (1 + Math.exp(-z));
  const gauss = () => Math.sqrt(-2 * Math.log(rng() + 1e-12)) * Math.cos(2 * Math.PI * rng());
  return Array.from({ length: n }, (_, i) => {
    const label = (i % 2) as 0 | 1;
    const z = label ? 1.5 : -1.5;
    const l = sig(z + 1.5 * gauss());
    const c = sig(2 * z + 1.2 * gauss());
    return { file: `p${i}`, label, folds: [i % 4, (i * 7 + 1) % 4], lgbm: { p: [l, l], re: [l, l] }, clip: { p: [c, c], re: [c, c] } };
  });
}

describe('ensemble combiners', () => {
  it('solves small linear systems', () => {
    expect(solve([[2, 1], [1, 3]], [3, 5]).map((v) => +v.toFixed(12))).toEqual([0.8, 1.4]);
  });

  it('logit stacking trusts the sharper member more and applies the gateway formula', () => {
    const rows = photos(800);
    const fitted = fitCombiner('logit', rows.map((x) => ({ lgbm: x.lgbm.p[0], clip: x.clip.p[0] })), rows.map((x) => x.label));
    expect(fitted.combiner.kind).toBe('logit');
    expect(fitted.weights.clip).toBeGreaterThan(fitted.weights.lgbm);
    expect(fitted.weights.lgbm + fitted.weights.clip).toBeCloseTo(1, 12);
    if (fitted.combiner.kind !== 'logit') throw new Error('unreachable');
    const { bias, scale } = fitted.combiner;
    const lo = (p: number) => Math.log(p / (1 - p));
    const p = { lgbm: 0.3, clip: 0.8 };
    expect(combine(fitted, p)).toBeCloseTo(1 / (1 + Math.exp(-(bias + scale * (fitted.weights.lgbm * lo(0.3) + fitted.weights.clip * lo(0.8))))), 12);
    // A single member is itself: weights 1/0 and the mean.
    expect(combine(fitCombiner('lgbm', [], []), p)).toBe(0.3);
  });

  it('the weighted mean picks the clip weight with the lowest log-loss on the grid', () => {
    const rows = photos(400);
    const f = fitCombiner('mean', rows.map((x) => ({ lgbm: x.lgbm.p[0], clip: x.clip.p[0] })), rows.map((x) => x.label));
    expect(f.weights.clip).toBeGreaterThan(0.5);
    expect((f.weights.clip * 20) % 1).toBeCloseTo(0, 9);
  });
});

describe('nested out-of-fold evaluation', () => {
  const rows = photos(200);
  const plan = planOf(rows, 4, 1);

  it("a held-out photo's prediction does not depend on its own label", () => {
    const a = nestedPredictions('logit', rows, plan);
    const flipped = rows.map((x, i) => (i === 5 ? { ...x, label: (1 - x.label) as 0 | 1 } : x));
    const b = nestedPredictions('logit', flipped, plan);
    expect(b.p[0][5]).toBe(a.p[0][5]);
    expect(b.p[1][5]).toBe(a.p[1][5]);
    // ...but other folds' predictions do (they were fitted with it).
    const other = rows.findIndex((_, i) => plan.fold[0][i] !== plan.fold[0][5]);
    expect(b.p[0][other]).not.toBe(a.p[0][other]);
  });

  it('the stacked ensemble beats the weaker member, and the cascade is lgbm outside the band', () => {
    const stacked = score(nestedPredictions('logit', rows, plan), rows, plan, 0.5);
    const lgbm = score(nestedPredictions('lgbm', rows, plan), rows, plan, 0.5);
    expect(stacked.plain.per_repeat.auc.mean).toBeGreaterThan(lgbm.plain.per_repeat.auc.mean);
    const never = cascade(nestedPredictions('logit', rows, plan), rows, plan, [0.5, 0.5], 0.5);
    const always = cascade(nestedPredictions('logit', rows, plan), rows, plan, [0, 1], 0.5);
    expect(always.clip_call_rate).toBe(1);
    expect(always.plain.per_repeat.accuracy.mean).toBeCloseTo(stacked.plain.per_repeat.accuracy.mean, 12);
    expect(never.clip_call_rate).toBeLessThan(0.05);
    expect(Math.abs(never.plain.per_repeat.accuracy.mean - lgbm.plain.per_repeat.accuracy.mean)).toBeLessThan(0.03);
  });
});
