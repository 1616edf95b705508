/** models/clip/README.md, rendered from the training run so every figure in it is a measured one. */
import type { Calibration } from '@cataract/contracts';
import { calibrationLine, cvTable, type CvReport } from '../cv/report';
import type { CvScore } from './model-selection';

export interface ClipCardInput {
  manifest: {
    version: string;
    sha256: string;
    threshold: number;
    calibration: Calibration;
    input: { name: string; layout: string; width: number; height: number; mean: number[]; std: number[]; resize: string };
    output: { name: string };
    labels: string[];
    training: {
      command: string;
      augmentation: { copies: number; long_side: number[]; jpeg_quality: number[]; photometric_copies: number };
      head: { l2: number; rows: number };
      backbone: { source: string; sha256: string; layers: string[]; width: number; flip_tta: boolean };
    };
  };
  report: CvReport;
  scores: CvScore[];
  modelBytes: number;
  backboneBytes: number;
  seconds: number;
  /** The run reused embeddings from --cache-dir (its time then excludes most backbone runs). */
  cached: boolean;
  /** What the photos are: the data folder and any reviewed uploads (retrain/card.ts photosOf). */
  photosOf: string;
}

export function renderClipModelCard({ manifest: m, report: r, scores, modelBytes, backboneBytes, seconds, cached, photosOf }: ClipCardInput): string {
  const t = m.training;
  const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
  const inception = t.backbone.source.includes('inception_v3');
  return `# clip model: ${inception ? 'InceptionV3' : 'MobileNetV2'} multi-layer pooled embedding + logistic head (ONNX)

\`model.onnx\` is ONE ONNX graph (opset 13) run by the clip actor with onnxruntime-node:
input \`${m.input.name}\` float32 [N, ${m.input.height}, ${m.input.width}, 3] (${m.input.layout}, RGB, v/255 with mean ${JSON.stringify(m.input.mean)} / std ${JSON.stringify(m.input.std)}, resize "${m.input.resize}"),
output \`${m.output.name}\` [N, 2] in order ${JSON.stringify(m.labels)} (the head's raw probabilities). The actor applies the
manifest's \`calibration\` (Platt: p' = sigmoid(${m.calibration.a.toFixed(4)} * logit(p) + ${m.calibration.b.toFixed(4)})) and answers "cataract" when p' >= ${m.threshold}.
The input is produced by \`@cataract/imaging\`'s \`imageToTensor(buf, manifest.input)\`, the same call the trainer used.

Version \`${m.version}\`, ${mb(modelBytes)}, sha256 \`${m.sha256}\` (checked by the actor against \`manifest.json\`).

## Reproduce

\`\`\`sh
npx tsc -b packages/keras-onnx tools   # the backbone is converted from the installed nsfwjs on every run
${t.command}   # ${Math.round(seconds)} s for this run on 2 shared cores${cached ? ', embeddings read from --cache-dir' : ''}; --cache-dir DIR makes re-runs fast
\`\`\`

Deterministic: same data and options -> the same model.onnx (seeded augmentation and folds, deterministic L-BFGS).

## Cross-validated figures

All ${r.plan.photos} photos of ${photosOf}, every one scored by a head that never saw it or its
near-duplicates: ${r.plan.k}-fold stratified cross-validation repeated ${r.plan.repeats} times (fold seed ${r.plan.seed}), grouped by
${r.plan.grouping}: ${r.plan.groups} groups, ${r.plan.photos_in_multi_photo_groups} photos share a group with another (the set holds many exact copies).
"Per repeat" = one repeat's ${r.plan.photos} out-of-fold predictions scored together, mean ± sd over the ${r.plan.repeats} repeats; "per fold" =
mean ± sd over the ${r.plan.k * r.plan.repeats} held-out folds. "Calibrated" = cross-fitted Platt (each fold's fit saw only the other folds'
out-of-fold predictions). The 256 px columns score the same photos downscaled to a 256 px long side, JPEG q85.

${cvTable(r)}

${calibrationLine(r)}

Reliability diagram (all repeats' out-of-fold predictions pooled): ![reliability](reliability.png)

Per-photo out-of-fold predictions (per repeat, raw and calibrated, plain and 256 px): \`oof-predictions.json\`.

Head L2 by the same cross-validation (mean out-of-fold log-loss of the photos as they are, raw):
${scores.map((s) => `l2=${s.l2}: ${s.logLoss.toFixed(4)} (accuracy ${(s.accuracy * 100).toFixed(2)} %)`).join('; ')}; chosen l2 = ${t.head.l2}.

## Where the weights come from

- **Backbone**: ${inception ? inceptionSource(m.input.width) : MOBILENET_SOURCE}
  The embedding (${t.backbone.width}-d) concatenates the mean over the feature map of ${t.backbone.layers.map((l) => `\`${l.split(' ')[0]}\``).join(', ')}
  ${inception ? '(the layers after the last one are not computed; the last blocks, trained for the NSFW classes, scored worse)' : "(`flatten_1` = the pooled last 1280-channel map; the earlier layers keep texture and colour detail the NSFW-trained last layers pool away)"}${t.backbone.flip_tta ? ', averaged over the photo and its mirror image inside the graph' : ''}; nsfwjs's NSFW dense head is dropped. Nothing is downloaded: the trainer converts the installed package.
- **Conversion** (\`packages/keras-onnx\`): Keras topology + dequantised weights (tfjs' \`q * scale + min\`) to ONNX;
  \`tools/test/clip-backbone.test.ts\` (MobileNetV2) and \`tools/test/clip-inception-backbone.test.ts\` (InceptionV3) check the ONNX embedding against TensorFlow.js on the same Keras model.
  Backbone alone: ${mb(backboneBytes)}, sha256 \`${t.backbone.sha256}\` (build artefact, not committed).
- **Head**: L2-regularised logistic regression (L-BFGS, TypeScript) on standardised embeddings, the standardisation folded
  into a Gemm [${t.backbone.width}, 2] + Softmax appended to the backbone, fitted on all photos.

## Augmentation

Normal photos are much smaller than cataract photos in this set, a resolution shortcut: each photo is also used as
${t.augmentation.copies} copies downscaled (imaging's \`downscaleReencode\`) to a seeded random long side in
[${t.augmentation.long_side.join(', ')}] px at JPEG quality [${t.augmentation.jpeg_quality.join(', ')}]${t.augmentation.photometric_copies ? `, plus ${t.augmentation.photometric_copies} photometric copies (rotation, mirror, Gaussian or motion blur, brightness/contrast, rescale, JPEG; \`clip/photometric.ts\`)` : ''}: ${t.head.rows} rows in all. Augmentations that
cross-validation did not keep are recorded in \`docs/experiments/\`.
`;
}

const MOBILENET_SOURCE = `the MobileNetV2 Keras model bundled in the npm package **nsfwjs 4.4.0** (MIT licence, (c) Infinite Red),
  \`node_modules/nsfwjs/dist/models/mobilenet_v2/\` (model.json and a uint8-quantised weight shard wrapped in JS modules).
  nsfwjs's README says the model was trained in Keras by Gant Laborde (github.com/GantMan/nsfw_model) on 60+ GB of
  images for 5 NSFW classes; its layer names and frozen (\`trainable: false\`) convolution stack are those of Keras'
  ImageNet MobileNetV2 used for transfer learning. nsfwjs feeds it \`img / 255\` resized to 224x224, hence mean 0 / std 1 here.`;

function inceptionSource(size: number): string {
  return `the InceptionV3 Keras model bundled in the npm package **nsfwjs 4.4.0** (MIT licence, (c) Infinite Red),
  \`node_modules/nsfwjs/dist/models/inception_v3/\` (model.json and six uint8-quantised weight shards wrapped in JS modules),
  trained in Keras by Gant Laborde (github.com/GantMan/nsfw_model) for 5 NSFW classes on Keras' ImageNet InceptionV3
  (frozen convolution stack). nsfwjs feeds it \`img / 255\` resized to 299x299 (mean 0 / std 1 here); its convolutions are
  run here at ${size}x${size}, the size cross-validation chose (docs/experiments/clip-inception-v3.md).`;
}
