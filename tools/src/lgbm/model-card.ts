/** models/lgbm/README.md: the model card, generated from the run so every number in it was measured by it. */
import type { BinaryMetrics } from '../common';
import type { CvResult } from './cross-validate';

export interface ModelCardInput {
  command: string;
  dataDir: string;
  counts: Record<string, { total: number; train: number; valid: number }>;
  seed: number;
  validFraction: number;
  augmentation: { copies: number; long_side: [number, number]; jpeg_quality: [number, number] };
  trainRows: number;
  params: Record<string, unknown>;
  cv: CvResult;
  featureSet: { name: string; version: string; count: number };
  threshold: number;
  plain: BinaryMetrics;
  reencoded: BinaryMetrics;
  shortcutAuc: number;
  sha256: string;
  topFeatures: string[];
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const row = (name: string, m: BinaryMetrics) =>
  `| ${name} | ${m.n} | ${pct(m.accuracy)} | ${m.auc.toFixed(4)} | ${m.confusion.tp} | ${m.confusion.fn} | ${m.confusion.fp} | ${m.confusion.tn} |`;

export function renderModelCard(c: ModelCardInput): string {
  const classes = Object.entries(c.counts)
    .map(([k, v]) => `| ${k} | ${v.total} | ${v.train} | ${v.valid} |`)
    .join('\n');
  const params = Object.entries(c.params)
    .map(([k, v]) => `\`${k}=${v}\``)
    .join(', ');
  return `# lgbm model card

Binary GBDT (LightGBM v4 text format, \`model.txt\`) that outputs P(cataract) for an external-eye
photo from imaging's \`${c.featureSet.name}\` v${c.featureSet.version} feature set (${c.featureSet.count} colour, percentile,
gradient and texture statistics of fixed eye regions and of the located iris, pupil and lens,
computed on a normalised image size).
Trained by our own TypeScript trainer (\`@cataract/gbdt-trainer\`), served by \`lightgbm-ts-predictor\`.
This file is written by the training command; the numbers below are from that run.

## Reproduce

\`\`\`
${c.command}
\`\`\`

Same command, same data -> byte-identical \`model.txt\` (sha256 \`${c.sha256}\`); everything random comes
from seeded generators.

## Data and split

\`${c.dataDir}\` ("Cataract Image Dataset", training split only; photos downscaled to <= 512 px).
Stratified validation split, ${Math.round(c.validFraction * 100)} % per class, seed ${c.seed}; it is never trained on. The
iteration count is chosen by cross-validation on the training photos (below), and the parameters were
picked the same way (grouped 5-fold CV on the training photos).

| class | photos | train | validation |
| --- | --- | --- | --- |
${classes}

**Resolution shortcut.** Normal photos are much smaller than cataract photos: on the validation photos the
long side alone separates the classes with ROC-AUC ${c.shortcutAuc.toFixed(3)}. The features never see the image's own
resolution, and every training photo is also used as ${c.augmentation.copies} copies downscaled to a random long side in
[${c.augmentation.long_side[0]}, ${c.augmentation.long_side[1]}] px and re-encoded as JPEG at a random quality in [${c.augmentation.jpeg_quality[0]}, ${c.augmentation.jpeg_quality[1]}]
(imaging's \`downscaleReencode\`), ${c.trainRows} training rows in all. The second metrics row checks the result: the
same validation photos downscaled to 256 px and re-encoded at q85.

## Training

Number of iterations: ${c.cv.folds}-fold stratified cross-validation over the *training* photos (grouped by photo:
a photo and its copies are always in the same fold), each fold trained for ${c.cv.curve.length} iterations; the lowest
mean held-out binary_logloss (${c.cv.bestLoss.toFixed(4)}) was at iteration ${c.cv.bestIteration}. The final model is trained on all
training photos for ${c.cv.bestIteration} iterations. Out-of-fold at that iteration: ${pct(c.cv.original.accuracy)} accuracy, ROC-AUC
${c.cv.original.auc.toFixed(4)} on the ${c.cv.original.n} training photos as they are; ${pct(c.cv.augmented.accuracy)}, ${c.cv.augmented.auc.toFixed(4)} on their ${c.cv.augmented.n} augmented copies.

Parameters: ${params}.

Decision threshold: ${c.threshold} (P(cataract) >= threshold -> cataract; not tuned).
Most used features (split count): ${c.topFeatures.join(', ')}.

## Validation metrics

| evaluation | n | accuracy | ROC-AUC | TP | FN | FP | TN |
| --- | --- | --- | --- | --- | --- | --- | --- |
${row('validation photos as they are', c.plain)}
${row('same photos, long side 256 px, JPEG q85', c.reencoded)}

Positive class = cataract. The dataset's separate test split is not available here, so these are
validation figures on ${c.plain.n} photos (one photo is ${(100 / c.plain.n).toFixed(2)} points of accuracy).
Per-photo validation P(cataract) (plain and re-encoded 256): \`validation-predictions.json\`.
`;
}
