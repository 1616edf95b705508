/**
 * Best split of one leaf from its histogram: for every usable feature and bin threshold t the rows
 * with bin <= t go left. Gains use LightGBM's formulas (no 1/2 factor):
 *   leafGain(G, H) = T(G)^2 / (H + lambda_l2),  output = -T(G) / (H + lambda_l2),
 * with T the L1 soft-threshold. For features that had NaN in training both placements of the NaN
 * bin are tried and the better one becomes the split's default direction.
 */
import { BinMapper, MissingType } from './binning';
import { BIN_STRIDE, Histogram } from './histogram';
import type { TrainParams } from './params';

export interface LeafStats {
  grad: number;
  hess: number;
  count: number;
}

export interface SplitCandidate {
  feature: number;
  thresholdBin: number;
  threshold: number;
  missingType: MissingType;
  defaultLeft: boolean;
  /** Gain over the parent, minus min_gain_to_split (what LightGBM reports as split_gain). */
  gain: number;
  left: LeafStats;
  right: LeafStats;
}

export type SplitParams = Pick<TrainParams, 'lambda_l1' | 'lambda_l2' | 'min_data_in_leaf' | 'min_sum_hessian_in_leaf' | 'min_gain_to_split'>;

const MAX_THRESHOLD = 1e300;

function thresholdL1(g: number, l1: number): number {
  if (l1 <= 0) return g;
  const r = Math.abs(g) - l1;
  return r > 0 ? Math.sign(g) * r : 0;
}

export function leafGain(g: number, h: number, p: SplitParams): number {
  const t = thresholdL1(g, p.lambda_l1);
  return (t * t) / (h + p.lambda_l2);
}

export function leafOutput(g: number, h: number, p: SplitParams): number {
  return -thresholdL1(g, p.lambda_l1) / (h + p.lambda_l2);
}

/** Best split over `features` or null when no split satisfies the constraints with positive gain. */
export function findBestSplit(
  hist: Histogram,
  parent: LeafStats,
  features: ArrayLike<number>,
  mappers: readonly BinMapper[],
  p: SplitParams,
): SplitCandidate | null {
  const minGainShift = leafGain(parent.grad, parent.hess, p) + p.min_gain_to_split;
  let best: SplitCandidate | null = null;
  let bestGain = minGainShift;
  const ok = (cnt: number, h: number) => cnt >= p.min_data_in_leaf && h >= p.min_sum_hessian_in_leaf && h + p.lambda_l2 > 0;

  for (let k = 0; k < features.length; k++) {
    const f = features[k];
    const m = mappers[f];
    if (m.isTrivial) continue;
    const off = f * BIN_STRIDE;
    const nb = m.numValueBins;
    const hasNaN = m.missingType === MissingType.NaN;
    const nanG = hasNaN ? hist.grad[off + nb] : 0;
    const nanH = hasNaN ? hist.hess[off + nb] : 0;
    const nanC = hasNaN ? hist.count[off + nb] : 0;
    // NaN placements to try: right (false) then left (true); features without NaN use LightGBM's default_left = true.
    const placements = hasNaN && nanC > 0 ? [false, true] : [!hasNaN];
    for (const nanLeft of placements) {
      let lg = nanLeft ? nanG : 0;
      let lh = nanLeft ? nanH : 0;
      let lc = nanLeft ? nanC : 0;
      // With a NaN bin, t = nb - 1 (all values left, NaN right) is a split too.
      const lastT = hasNaN ? nb - 1 : nb - 2;
      for (let t = 0; t <= lastT; t++) {
        lg += hist.grad[off + t];
        lh += hist.hess[off + t];
        lc += hist.count[off + t];
        const rg = parent.grad - lg;
        const rh = parent.hess - lh;
        const rc = parent.count - lc;
        if (!ok(lc, lh)) continue;
        if (!ok(rc, rh)) break; // the right side only shrinks from here
        const gain = leafGain(lg, lh, p) + leafGain(rg, rh, p);
        if (gain > bestGain) {
          bestGain = gain;
          best = {
            feature: f,
            thresholdBin: t,
            // The last value bin's bound is +Infinity; LightGBM writes such thresholds as 1e300 (Common::AvoidInf).
            threshold: t === nb - 1 ? MAX_THRESHOLD : m.upperBounds[t],
            missingType: m.missingType,
            defaultLeft: nanLeft,
            gain: 0,
            left: { grad: lg, hess: lh, count: lc },
            right: { grad: rg, hess: rh, count: rc },
          };
        }
      }
    }
  }
  if (best) best.gain = bestGain - minGainShift;
  return best;
}
