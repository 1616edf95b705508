/** models/clip/README.md, rendered from the training run so every figure in it is a measured one. */

interface Metrics {
  accuracy: number;
  auc: number;
  confusion: { tp: number; fp: number; tn: number; fn: number };
  n: number;
}

export interface ClipCardInput {
  manifest: {
    version: string;
    sha256: string;
    threshold: number;
    input: { name: string; layout: string; width: number; height: number; mean: number[]; std: number[]; resize: string };
    output: { name: string };
    labels: string[];
    training: {
      seed: number;
      split: { valid_fraction: number };
      data: { counts: Record<string, { total: number; train: number; valid: number }> };
      augmentation: { copies: number; long_side: number[]; jpeg_quality: number[] };
      head: { l2: number; rows: number; cv: { folds: number; scores: { l2: number; logLoss: number; accuracy: number }[] } };
      backbone: { sha256: string };
      diagnostics: { validation_reencoded_128: Metrics };
    };
    metrics: { validation: Metrics; validation_reencoded_256: Metrics };
  };
  modelBytes: number;
  backboneBytes: number;
  seconds: number;
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const row = (name: string, m: Metrics) =>
  `| ${name} | ${m.n} | ${pct(m.accuracy)} | ${m.auc.toFixed(4)} | ${m.confusion.tp} | ${m.confusion.fn} | ${m.confusion.fp} | ${m.confusion.tn} |`;

export function renderClipModelCard({ manifest: m, modelBytes, backboneBytes, seconds }: ClipCardInput): string {
  const t = m.training;
  const c = t.data.counts;
  const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
  return `# clip model: MobileNetV2 embedding + logistic head (ONNX)

\`model.onnx\` is ONE ONNX graph (opset 13) run by the clip actor with onnxruntime-node:
input \`${m.input.name}\` float32 [N, ${m.input.height}, ${m.input.width}, 3] (${m.input.layout}, RGB, v/255 with mean ${JSON.stringify(m.input.mean)} / std ${JSON.stringify(m.input.std)}, resize "${m.input.resize}"),
output \`${m.output.name}\` [N, 2] in order ${JSON.stringify(m.labels)}; "cataract" when P(cataract) >= ${m.threshold}.
The input is produced by \`@cataract/imaging\`'s \`imageToTensor(buf, manifest.input)\`, the same call the trainer used.

Version \`${m.version}\`, ${mb(modelBytes)}, sha256 \`${m.sha256}\` (checked by the actor against \`manifest.json\`).

## Where the weights come from

- **Backbone**: the MobileNetV2 Keras model bundled in the npm package **nsfwjs 4.4.0** (MIT licence, (c) Infinite Red),
  \`node_modules/nsfwjs/dist/models/mobilenet_v2/\` (model.json and a uint8-quantised weight shard wrapped in JS modules).
  nsfwjs's README says the model was trained in Keras by Gant Laborde (github.com/GantMan/nsfw_model) on 60+ GB of
  images for 5 NSFW classes; its layer names and frozen (\`trainable: false\`) convolution stack are those of Keras'
  ImageNet MobileNetV2 used for transfer learning. nsfwjs feeds it \`img / 255\` resized to 224x224, hence mean 0 / std 1 here.
  We keep the graph up to \`flatten_1\` (7x7 average pool of the last 1280-channel map = the pooled 1280-d embedding)
  and drop nsfwjs's NSFW dense head. Nothing is downloaded: \`npm run build:backbone\` reads the installed package.
- **Conversion** (\`packages/keras-onnx\`): Keras topology + dequantised weights (tfjs' \`q * scale + min\`) to ONNX:
  Conv2D kernels HWIO -> OIHW, DepthwiseConv2D [kh,kw,in,mult] -> [in*mult,1,kh,kw] with group=in,
  ZeroPadding2D folded into the stride-2 convolutions' pads, TF "same" padding as explicit (asymmetric) pads,
  BatchNormalization with the layer's epsilon (1e-3), ReLU6 as Clip(0, 6), Add, AveragePool, NHWC input with one
  Transpose to NCHW, dynamic batch. \`tools/test/clip-backbone.test.ts\` checks the ONNX embedding against TensorFlow.js on
  the same Keras model. Backbone alone: ${mb(backboneBytes)}, sha256 \`${t.backbone.sha256}\` (build artefact, not committed).
- **Head**: L2-regularised logistic regression (L-BFGS, TypeScript) on standardised embeddings, the standardisation folded
  into a Gemm [1280, 2] + Softmax appended to the backbone. L2 = ${t.head.l2}, chosen by ${t.head.cv.folds}-fold
  cross-validation on the training photos (folds grouped by photo) over {${t.head.cv.scores.map((s) => s.l2).join(', ')}}.

## Data, split and augmentation

\`../shared/data/cataract/train\`: ${c.cataract.total} cataract + ${c.normal.total} normal photos. Stratified validation split
(fraction ${t.split.valid_fraction}, seed ${t.seed}; the same split as the lgbm model): train ${c.cataract.train} + ${c.normal.train},
validation ${c.cataract.valid} + ${c.normal.valid} (never trained on, not used to choose L2).
Normal photos are much smaller than cataract photos in this set, a resolution shortcut: each training photo is also used as
${t.augmentation.copies} copies downscaled (imaging's \`downscaleReencode\`) to a seeded random long side in
[${t.augmentation.long_side.join(', ')}] px at JPEG quality [${t.augmentation.jpeg_quality.join(', ')}], ${t.head.rows} training rows in all.

## Validation metrics (the committed model.onnx, through imageToTensor)

| set | n | accuracy | AUC | TP | FN | FP | TN |
| --- | --- | --- | --- | --- | --- | --- | --- |
${row('validation photos as stored', m.metrics.validation)}
${row('re-encoded: downscaleReencode(buf, 256, 85)', m.metrics.validation_reencoded_256)}
${row('diagnostic: downscaleReencode(buf, 128, 80)', t.diagnostics.validation_reencoded_128)}

Per-photo validation P(cataract) (plain and re-encoded 256): \`validation-predictions.json\`.
Cross-validation on the training photos: ${t.head.cv.scores.map((s) => `l2=${s.l2}: log-loss ${s.logLoss.toFixed(4)}, accuracy ${pct(s.accuracy)}`).join('; ')}.

## Reproduce

\`\`\`sh
npx tsc -b packages/keras-onnx tools
npm run build:backbone            # models/clip/backbone.onnx from the installed nsfwjs (train:clip builds it if absent)
npm run train:clip -- --data ../shared/data/cataract/train   # ${Math.round(seconds)} s for this run on 2 cores
npx jest packages/keras-onnx tools/test/clip
\`\`\`
`;
}
