/** models/ensemble.md: the ensemble's card, rendered by choose-ensemble-weights from its own run. */
import type { EnsembleCombiner, EnsembleWeights } from '@cataract/contracts';
import { fmtNum, fmtPct, type CvFigures } from '../cv/summary';
import type { CombinerKind } from './combiners';
import type { CascadeScore, Scored } from './evaluate';

export interface EnsembleCardInput {
  out: { weights: EnsembleWeights; combiner: EnsembleCombiner; chosen: CombinerKind; verdict: string; models: { lgbm: string; clip: string }; cross_validation: { k: number; repeats: number } };
  scored: Record<CombinerKind, Scored>;
  band: CascadeScore;
  command: string;
}

const row = (name: string, s: { plain: CvFigures; reencoded_256: CvFigures }) =>
  `| ${name} | ${fmtPct(s.plain.per_repeat.accuracy)} | ${fmtNum(s.plain.per_fold.auc)} | ${fmtNum(s.plain.per_repeat.auc)} | ${fmtNum(s.plain.per_repeat.log_loss)} | ${fmtNum(s.plain.per_repeat.ece)} | ${fmtPct(s.reencoded_256.per_repeat.accuracy)} | ${fmtNum(s.reencoded_256.per_repeat.auc)} | ${s.plain.errors.false_cataract.mean.toFixed(1)} / ${s.plain.errors.missed_cataract.mean.toFixed(1)} |`;

export function renderEnsembleCard({ out, scored, band, command }: EnsembleCardInput): string {
  const c = out.combiner;
  const formula =
    c.kind === 'logit'
      ? `P = sigmoid(${c.bias.toFixed(4)} + ${c.scale.toFixed(4)} * (${out.weights.lgbm.toFixed(4)} * logit(p_lgbm) + ${out.weights.clip.toFixed(4)} * logit(p_clip)))`
      : `P = ${out.weights.lgbm.toFixed(2)} * p_lgbm + ${out.weights.clip.toFixed(2)} * p_clip`;
  return `# ensemble card (\`/predict_ensemble\`)

Combines the two members' calibrated P(cataract) (each actor applies its model's Platt calibration) as
\`${formula}\`, "cataract" when P >= 0.5; with one member unavailable, the other's answer. The cascade
strategy asks lgbm first and clip only when lgbm's P is within [${band.band.join(', ')}].
Members: lgbm \`${out.models.lgbm}\`, clip \`${out.models.clip}\`. Written by \`${command}\` into \`models/ensemble.json\`
(the gateway's default; ENSEMBLE_WEIGHTS / CASCADE_BAND override).

## How it was chosen

On the members' out-of-fold predictions (\`models/*/oof-predictions.json\`, ${out.cross_validation.k}-fold x ${out.cross_validation.repeats} repeated, stratified,
grouped by near-duplicates; every photo predicted by member models that never saw it). Each candidate combiner is itself scored
out of fold: for every repeat and fold it is fitted on the other folds' photos only and applied to the held-out ones.
Verdict: **${out.verdict}**.

| candidate (mean ± sd) | accuracy (per repeat) | ROC-AUC (per fold) | ROC-AUC (per repeat, pooled) | log-loss | ECE | accuracy, 256 px JPEG | AUC, 256 px JPEG | false cataract / missed |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${(['lgbm', 'clip', 'mean', 'logit'] as const).map((k) => row(k === out.chosen ? `**${k}** (served)` : k, scored[k])).join('\n')}
| cascade [${band.band.join(', ')}], clip asked for ${(band.clip_call_rate * 100).toFixed(1)} % | ${fmtPct(band.plain.per_repeat.accuracy)} | ${fmtNum(band.plain.per_fold.auc)} | ${fmtNum(band.plain.per_repeat.auc)} | ${fmtNum(band.plain.per_repeat.log_loss)} | ${fmtNum(band.plain.per_repeat.ece)} | ${fmtPct(band.reencoded_256.per_repeat.accuracy)} | ${fmtNum(band.reencoded_256.per_repeat.auc)} | ${band.plain.errors.false_cataract.mean.toFixed(1)} / ${band.plain.errors.missed_cataract.mean.toFixed(1)} |

lgbm / clip rows: the members' cross-fitted calibrated out-of-fold predictions. "Per fold" AUC ranks photos within one
held-out fold (one set of fitted models); the pooled per-repeat AUC also ranks photos scored by different fold models, which
costs the refitted combiners (and the cross-fitted calibrations) a little AUC that the served, single models do not lose. The cascade band is the one asking clip least
whose out-of-fold accuracy is at least the always-ask accuracy and whose AUC is at least the best member's
(\`cascade_grid\` in ensemble.json lists every band tried).

Reliability diagram (out of fold, all repeats pooled): ![reliability](ensemble-reliability.png)

Per-photo out-of-fold predictions of both strategies, in the members' format:
\`ensemble-oof-predictions.json\`, \`ensemble-cascade-oof-predictions.json\` (\`npm run eval -- --predictions FILE\`).
`;
}
