/** The model card of a fine-tuned clip version (tools/python), rendered from measured figures only. */
import type { Calibration } from '@cataract/contracts';
import { calibrationLine, cvTable, type CvReport } from '../cv/report';
import { fmtNum, fmtPct, type CvFigures } from '../cv/summary';

export interface FinetunedCardInput {
  version: string;
  sha256: string;
  modelBytes: number;
  threshold: number;
  calibration: Calibration;
  report: CvReport;
  /** The frozen model (pretrained backbone + logistic head) on the same folds and rows. */
  frozen: CvFigures;
  frozenReencoded: CvFigures;
  settings: Record<string, unknown>;
  fineTuned: string[];
  commands: string[];
  sourceVersion: string;
}

export function renderFinetunedCard(c: FinetunedCardInput): string {
  const r = c.report;
  const row = (name: string, f: (x: CvFigures) => string) => `| ${name} | ${f(c.frozen)} | ${f(r.raw)} | ${f(c.frozenReencoded)} | ${f(r.raw_reencoded_256)} |`;
  return `# clip model: MobileNetV2 with its last blocks fine-tuned + logistic head (ONNX)

\`model.onnx\` is ONE ONNX graph (opset 13, exported by torch) with the clip actor's contract: input \`image\` float32
[N, 224, 224, 3] (NHWC, RGB, v/255, resize "fill", \`@cataract/imaging\`'s \`imageToTensor\`), output \`probabilities\`
[N, 2] in order ["normal","cataract"]. The actor applies the manifest's calibration (Platt a ${c.calibration.a.toFixed(4)}, b ${c.calibration.b.toFixed(4)}) and answers
"cataract" when the calibrated P >= ${c.threshold}.

Version \`${c.version}\`, ${(c.modelBytes / 1e6).toFixed(2)} MB, sha256 \`${c.sha256}\`.

## How it was made

Start: the weights of \`models/clip/${c.sourceVersion}/model.onnx\` (nsfwjs's MobileNetV2, converted by
\`@cataract/keras-onnx\`; its card says where they come from). \`tools/python/clip_finetune.py\` rebuilds that graph in
torch op by op, freezes everything before \`${String(c.settings.cut)}\` (run once per training row and cached), and fine-tunes
${c.fineTuned.length} weight tensors after it (convolutions and batch-norm scale/shift; running statistics kept) together with
an L2 logistic head on the standardised 1728-d pooled embedding (started from the frozen fit), pulled towards the
pretrained weights (L2-SP). Rows: every photo, its 3 resolution copies and its photometric copies, as \`train:clip\`
makes them (\`npm run export:clip-tensors\`). Settings: \`${JSON.stringify(c.settings)}\`.

\`\`\`sh
${c.commands.join('\n')}
\`\`\`

## Cross-validated figures

All ${r.plan.photos} photos, ${r.plan.k}-fold stratified cross-validation x ${r.plan.repeats} repeat${r.plan.repeats > 1 ? 's' : ''} (fold seed ${r.plan.seed}; the folds of
\`tools/src/cv\`, the same as the previous version's card), grouped by ${r.plan.grouping}: ${r.plan.groups} groups.
Every photo is scored by a model fine-tuned without it and its near-duplicates. The 256 px columns score the same
photos downscaled to a 256 px long side, JPEG q85. Per fold = mean ± sd over the ${r.plan.k * r.plan.repeats} held-out folds.

${cvTable(r)}

${calibrationLine(r)}

Frozen backbone (the previous recipe: pretrained weights + the same head, fitted on the same rows) against fine-tuned, same folds:

| out of fold | frozen | fine-tuned | frozen, 256 px | fine-tuned, 256 px |
| --- | --- | --- | --- | --- |
${row('accuracy, per repeat', (x) => fmtPct(x.per_repeat.accuracy))}
${row('accuracy, per fold', (x) => fmtPct(x.per_fold.accuracy))}
${row('ROC-AUC, per fold', (x) => fmtNum(x.per_fold.auc))}
${row('log-loss, per repeat', (x) => fmtNum(x.per_repeat.log_loss))}
${row('false / missed cataract', (x) => `${x.errors.false_cataract.mean.toFixed(1)} / ${x.errors.missed_cataract.mean.toFixed(1)}`)}

Reliability diagram: ![reliability](reliability.png). Per-photo out-of-fold predictions: \`oof-predictions.json\`.
Write-up: \`docs/experiments/clip-fine-tuning.md\`.
`;
}
