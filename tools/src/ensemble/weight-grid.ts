/**
 * Choosing the ensemble's weights on validation predictions: every w_clip on a grid (w_lgbm =
 * 1 - w_clip), P = w_lgbm * p_lgbm + w_clip * p_clip, scored by log-loss, accuracy and AUC.
 */
import { binaryMetrics, type Confusion } from '../common';

/** One validation photo seen by both models, as stored and re-encoded (256 px, JPEG q85). */
export interface JoinedPrediction {
  file: string;
  /** 1 = cataract, 0 = normal */
  label: 0 | 1;
  lgbm: { plain: number; reencoded: number };
  clip: { plain: number; reencoded: number };
}

export interface SetScore {
  n: number;
  log_loss: number;
  accuracy: number;
  auc: number;
  confusion: Confusion;
}

export interface GridPoint {
  weights: { lgbm: number; clip: number };
  plain: SetScore;
  reencoded: SetScore;
  /** Both sets pooled (what the choice minimises / maximises). */
  pooled: SetScore;
}

export type Criterion = 'log_loss' | 'accuracy';

/** Mean binary cross-entropy; probabilities are clipped to [eps, 1 - eps] so one certain miss is large, not infinite. */
export function logLoss(ps: ArrayLike<number>, labels: ArrayLike<number>, eps = 1e-7): number {
  if (ps.length !== labels.length || ps.length === 0) throw new RangeError('need as many labels as probabilities, at least one');
  let sum = 0;
  for (let i = 0; i < ps.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, ps[i]));
    sum += labels[i] === 1 ? -Math.log(p) : -Math.log(1 - p);
  }
  return sum / ps.length;
}

export function score(ps: number[], labels: number[], threshold: number): SetScore {
  const m = binaryMetrics(ps, labels, threshold);
  return { n: m.n, log_loss: logLoss(ps, labels), accuracy: m.accuracy, auc: m.auc, confusion: m.confusion };
}

/** w_clip = 0, step, 2 step ... 1 (rounded so 0.05 steps print as 0.05, not 0.05000000000000001). */
export function weightGrid(step: number): number[] {
  const n = Math.round(1 / step);
  if (!(step > 0) || Math.abs(n * step - 1) > 1e-9) throw new RangeError(`step must divide 1, got ${step}`);
  return Array.from({ length: n + 1 }, (_, i) => Number((i / n).toFixed(10)));
}

export function evaluateGrid(rows: readonly JoinedPrediction[], step: number, threshold: number): GridPoint[] {
  const labels = rows.map((r) => r.label);
  return weightGrid(step).map((wc) => {
    const wl = Number((1 - wc).toFixed(10));
    const mix = (set: 'plain' | 'reencoded') => rows.map((r) => wl * r.lgbm[set] + wc * r.clip[set]);
    const plain = mix('plain');
    const re = mix('reencoded');
    return {
      weights: { lgbm: wl, clip: wc },
      plain: score(plain, labels, threshold),
      reencoded: score(re, labels, threshold),
      pooled: score([...plain, ...re], [...labels, ...labels], threshold),
    };
  });
}

/**
 * The best grid point on the pooled sets: the highest accuracy, ties to the higher AUC then the
 * lower log-loss; or the lowest log-loss (a proper score), ties to the higher AUC. Remaining ties
 * go to the larger lgbm weight (the cheaper model).
 */
export function chooseWeights(grid: readonly GridPoint[], criterion: Criterion): GridPoint {
  const key = (g: GridPoint): number[] =>
    criterion === 'log_loss' ? [g.pooled.log_loss, -g.pooled.auc, -g.weights.lgbm] : [-g.pooled.accuracy, -g.pooled.auc, g.pooled.log_loss, -g.weights.lgbm];
  return [...grid].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (Math.abs(ka[i] - kb[i]) > 1e-12) return ka[i] - kb[i];
    return 0;
  })[0];
}

/** What the cascade would do on these photos: how often clip is asked, and how well it decides. */
export function cascadeReport(
  rows: readonly JoinedPrediction[],
  weights: { lgbm: number; clip: number },
  band: [number, number],
  threshold: number,
): { band: [number, number]; plain: SetScore & { clip_call_rate: number }; reencoded: SetScore & { clip_call_rate: number } } {
  const labels = rows.map((r) => r.label);
  const run = (set: 'plain' | 'reencoded') => {
    let calls = 0;
    const ps = rows.map((r) => {
      const pl = r.lgbm[set];
      if (pl < band[0] || pl > band[1]) return pl;
      calls++;
      return weights.lgbm * pl + weights.clip * r.clip[set];
    });
    return { ...score(ps, labels, threshold), clip_call_rate: calls / rows.length };
  };
  return { band, plain: run('plain'), reencoded: run('reencoded') };
}
