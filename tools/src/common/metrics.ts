/** Binary classification metrics shared by the trainers (positive class = cataract = label 1). */

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}
export interface BinaryMetrics {
  n: number;
  accuracy: number;
  auc: number;
  confusion: Confusion;
}

/**
 * ROC-AUC via the rank-sum (Mann-Whitney U) statistic; tied scores get their average rank, which
 * equals counting a positive/negative tie as 1/2. NaN when one class is absent.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError('scores and labels differ in length');
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1; // 1-based average rank of the tie group
    for (let k = i; k <= j; k++) if (labels[order[k]] === 1) {
      rankSumPos += avgRank;
      nPos++;
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Accuracy / AUC / confusion at `threshold` (prob >= threshold -> positive). Labels are 1 (positive) or 0. */
export function binaryMetrics(probs: ArrayLike<number>, labels: ArrayLike<number>, threshold = 0.5): BinaryMetrics {
  const n = probs.length;
  if (labels.length !== n) throw new RangeError('probs and labels differ in length');
  const confusion: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (l !== 0 && l !== 1) throw new RangeError(`label must be 0 or 1, got ${l}`);
    const pred = probs[i] >= threshold;
    if (pred && l === 1) confusion.tp++;
    else if (pred) confusion.fp++;
    else if (l === 1) confusion.fn++;
    else confusion.tn++;
  }
  return { n, accuracy: n === 0 ? NaN : (confusion.tp + confusion.tn) / n, auc: rocAuc(probs, labels), confusion };
}

/** Human-readable block: accuracy, AUC and the confusion matrix (rows = actual, columns = predicted). */
export function formatMetrics(title: string, m: BinaryMetrics, positive = 'cataract', negative = 'normal'): string {
  const w = Math.max(positive.length, negative.length, 8);
  const pad = (s: string | number) => String(s).padStart(w);
  return [
    `${title}: n=${m.n} accuracy=${(m.accuracy * 100).toFixed(2)}% auc=${m.auc.toFixed(4)}`,
    `  ${''.padEnd(w + 9)}${pad('pred ' + positive.slice(0, w - 5))} ${pad('pred ' + negative.slice(0, w - 5))}`,
    `  ${('actual ' + positive).padEnd(w + 9)}${pad(m.confusion.tp)} ${pad(m.confusion.fn)}`,
    `  ${('actual ' + negative).padEnd(w + 9)}${pad(m.confusion.fp)} ${pad(m.confusion.tn)}`,
  ].join('\n');
}
