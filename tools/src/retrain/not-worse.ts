/**
 * When a retrained candidate may replace the serving version (`--publish`). Both are scored on the
 * same cross-validation folds of the same photos (retrain/comparison.ts); the candidate is "not
 * worse" when its mean held-out accuracy and its mean held-out ROC-AUC over those folds are each at
 * most the tolerance below the serving version's. Means over folds rather than single figures: one
 * fold of a few dozen photos moves by several points from one photo; the tolerance (default one
 * point of accuracy and 0.01 of AUC) is the noise an operator accepts for the new photos the
 * candidate learned. A negative tolerance demands an improvement. A figure that cannot be computed
 * (NaN: a fold with one class only) is never "not worse".
 */
export interface Tolerance {
  accuracy: number;
  auc: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { accuracy: 0.01, auc: 0.01 };

export interface Figures {
  /** Mean over the held-out folds. */
  accuracy: number;
  auc: number;
}

export interface Verdict {
  notWorse: boolean;
  /** One line per figure: the comparison and whether it passed. */
  checks: string[];
  rule: string;
}

export function describeRule(t: Tolerance): string {
  return `not worse = mean held-out accuracy >= serving's - ${t.accuracy} and mean held-out ROC-AUC >= serving's - ${t.auc}, over the same folds`;
}

export function notWorse(candidate: Figures, serving: Figures, t: Tolerance = DEFAULT_TOLERANCE): Verdict {
  const checks: string[] = [];
  let ok = true;
  for (const k of ['accuracy', 'auc'] as const) {
    const floor = serving[k] - t[k];
    const pass = Number.isFinite(candidate[k]) && Number.isFinite(serving[k]) && candidate[k] >= floor - 1e-12;
    ok &&= pass;
    checks.push(`${k}: candidate ${candidate[k].toFixed(4)} vs serving ${serving[k].toFixed(4)} (floor ${floor.toFixed(4)}): ${pass ? 'ok' : 'worse'}`);
  }
  return { notWorse: ok, checks, rule: describeRule(t) };
}
