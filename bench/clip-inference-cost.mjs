#!/usr/bin/env node
/**
 * node bench/clip-inference-cost.mjs [threads]
 *
 * The committed clip model's inference time per image at batch 1, 2, 4, 8 and 16 (onnxruntime-node,
 * the actor's session options, `threads` intra-op threads, default 1), on a constant input: does
 * batching make inference cheaper per image on this machine? Min and median over the runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, requireFromRoot } from './load/lib/root.mjs';

const ort = requireFromRoot('onnxruntime-node');
const threads = Number(process.argv[2] ?? 1);
const clipDir = requireFromRoot('@cataract/model-store').defaultVersionDir(join(ROOT, 'models'), 'clip');
const manifest = JSON.parse(readFileSync(join(clipDir, 'manifest.json'), 'utf8'));
const { name, layout, width, height, channels } = manifest.input;
const session = await ort.InferenceSession.create(readFileSync(join(clipDir, manifest.file)), {
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
for (const batch of [1, 2, 4, 8, 16]) {
  const dims = layout === 'NHWC' ? [batch, height, width, channels] : [batch, channels, height, width];
  const input = new ort.Tensor('float32', new Float32Array(batch * width * height * channels).fill(0.5), dims);
  for (let i = 0; i < 5; i++) await session.run({ [name]: input });
  const perImage = [];
  for (let i = 0; i < Math.max(5, 60 / batch); i++) {
    const t = performance.now();
    await session.run({ [name]: input });
    perImage.push((performance.now() - t) / batch);
  }
  perImage.sort((a, b) => a - b);
  console.log(`threads ${threads} batch ${batch}: per image min ${perImage[0].toFixed(2)} ms, median ${perImage[perImage.length >> 1].toFixed(2)} ms`);
}
