/** models/lgbm/README.md: the model card, generated from the run so every number in it was measured by it. */
import { calibrationLine, cvTable, type CvReport } from '../cv/report';
import type { CvResult } from './cross-validate';

export interface ModelCardInput {
  command: string;
  report: CvReport;
  augmentation: { copies: number; long_side: [number, number]; jpeg_quality: [number, number] };
  trainRows: number;
  params: Record<string, unknown>;
  result: CvResult;
  featureCount: number;
  sha256: string;
  bytes: number;
  seconds: number;
  /** The run reused features from --cache-dir. */
  cached: boolean;
  topFeatures: string[];
  /** What the photos are, for the card: the data folder and any reviewed uploads (retrain/card.ts photosOf). */
  photosOf: string;
}

export function renderModelCard(c: ModelCardInput): string {
  const r = c.report;
  const params = Object.entries(c.params)
    .map(([k, v]) => `\`${k}=${v}\``)
    .join(', ');
  return `# lgbm model card

Binary GBDT (LightGBM v4 text format, \`model.txt\`, ${(c.bytes / 1e6).toFixed(2)} MB, sha256 \`${c.sha256}\`) that outputs
P(cataract) for an external-eye photo from imaging's \`eye-regions\` feature set (${c.featureCount} colour, percentile,
gradient and texture statistics of fixed eye regions and of the located iris, pupil and lens, on a normalised image size).
Trained by our own TypeScript trainer (\`@cataract/gbdt-trainer\`), served by \`lightgbm-ts-predictor\`; the actor
applies the manifest's \`calibration\` (Platt: p' = sigmoid(${r.calibration.a.toFixed(4)} * logit(p) + ${r.calibration.b.toFixed(4)})) to every answer
and the decision is p' >= ${r.threshold}. This file is written by the training command; every number below is from that run.

## Reproduce

\`\`\`
${c.command}        # ${c.seconds.toFixed(0)} s for this run on 2 shared cores${c.cached ? ', features read from --cache-dir' : ''}; --cache-dir DIR makes re-runs faster
\`\`\`

Same command, same data -> the same \`model.txt\` (all randomness from seeded generators).

## Cross-validated figures

All ${r.plan.photos} photos of ${c.photosOf} (there is no held-out split: every photo is scored by a model
that never saw it or its near-duplicates). ${r.plan.k}-fold stratified cross-validation repeated ${r.plan.repeats} times (fold seed
${r.plan.seed}), grouped by ${r.plan.grouping}: ${r.plan.groups} groups, ${r.plan.photos_in_multi_photo_groups} photos share a group with another.
"Per repeat" = the ${r.plan.photos} out-of-fold predictions of one repeat scored together, mean ± sd over the ${r.plan.repeats} repeats;
"per fold" = mean ± sd over the ${r.plan.k * r.plan.repeats} held-out folds. "Calibrated" = cross-fitted: each fold's Platt fit saw only
the other folds' out-of-fold predictions. The 256 px columns score the same photos downscaled to a 256 px long side and
re-encoded as JPEG q85 (the same fold models).

${cvTable(r)}

${calibrationLine(r)}

Reliability diagram (all repeats' out-of-fold predictions pooled): ![reliability](reliability.png)

Per-photo out-of-fold predictions (per repeat, raw and calibrated, plain and 256 px): \`oof-predictions.json\`
(\`npm run inspect:lgbm -- --predictions models/lgbm/oof-predictions.json --wrong --out wrong.png\` draws the misclassified ones).

## Training

Every photo is also used as ${c.augmentation.copies} copies downscaled to a random long side in [${c.augmentation.long_side.join(', ')}] px and re-encoded
as JPEG at quality [${c.augmentation.jpeg_quality.join(', ')}] (imaging's \`downscaleReencode\`; normal photos are much smaller than
cataract photos in this set, and the features must not learn resolution): ${c.trainRows} rows. Iteration count: the lowest
mean held-out log-loss over all ${r.plan.k * r.plan.repeats} folds (each trained for ${c.result.curve.length} iterations) was ${c.result.bestLoss.toFixed(4)} at
iteration ${c.result.bestIteration}; the final model is trained on all rows for ${c.result.bestIteration} iterations.

Parameters: ${params}.

Most used features (split count): ${c.topFeatures.join(', ')}.
`;
}
