#!/usr/bin/env node
/**
 * node bench/clip-backbone-cost.mjs [--runs 20] [--threads 1] [--models-out DIR]
 *
 * Inference cost of candidate clip backbones against the committed MobileNetV2 recipe, in one process
 * taking turns (the shared machine's load hits all alike): each pooled backbone is built from the
 * installed nsfwjs by tools/dist (npx tsc -b tools first), run by onnxruntime-node at batch 1 with the
 * actor's session options, and timed on a constant input: median wall ms and process CPU ms per image,
 * as a ratio to MobileNetV2. With --models-out, also writes DIR/<name>/clip/<version>/ for each
 * InceptionV3 variant: the committed clip version's folder with its model.onnx replaced by that
 * backbone + a constant head (same size and cost as a trained one), for
 * `node bench/clip-batching.mjs --models-dir DIR/<name>` (latency through the real actor). Those
 * folders are for benchmarks only: their answers mean nothing.
 */
import { cpSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, requireFromRoot } from './load/lib/root.mjs';

const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    threads: { type: 'string', default: '1' },
    'models-out': { type: 'string' },
  },
});
const ort = requireFromRoot('onnxruntime-node');
const { buildPooledBackbone } = requireFromRoot('./tools/dist/clip/pooled-backbone.js');
const { appendSoftmaxHead } = requireFromRoot('./tools/dist/clip/export-model.js');
const { BACKBONES } = requireFromRoot('./tools/dist/clip/backbone.js');

const variants = [
  { name: 'mobilenet_v2-224', model: 'mobilenet_v2', size: 224, layers: BACKBONES.mobilenet_v2.layers },
  { name: 'inception_v3-299-mixed10', model: 'inception_v3', size: 299, layers: ['mixed10', 'mixed7', 'mixed5', 'mixed2'] },
  { name: 'inception_v3-224-mixed10', model: 'inception_v3', size: 224, layers: ['mixed10', 'mixed7', 'mixed5', 'mixed2'] },
  { name: 'inception_v3-224-mixed7', model: 'inception_v3', size: 224, layers: ['mixed7', 'mixed5', 'mixed2'] },
  { name: 'inception_v3-160-mixed7', model: 'inception_v3', size: 160, layers: ['mixed7', 'mixed5', 'mixed2'] },
  { name: 'inception_v3-128-mixed7', model: 'inception_v3', size: 128, layers: ['mixed7', 'mixed5', 'mixed2'] },
];
const runs = Number(opt.runs);
const threads = Number(opt.threads);
const sessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', extra: { session: { intra_op: { allow_spinning: '0' } } } };

const sessions = [];
for (const v of variants) {
  const { bytes, width } = buildPooledBackbone(v.layers, { model: v.model, size: v.size });
  const session = await ort.InferenceSession.create(bytes, sessionOptions);
  const input = new ort.Tensor('float32', new Float32Array(v.size * v.size * 3).map((_, i) => (i % 251) / 251), [1, v.size, v.size, 3]);
  for (let i = 0; i < 3; i++) await session.run({ image: input });
  sessions.push({ ...v, bytes, width, session, input, wall: [], cpu: 0 });
}
// Round-robin, one image per variant per turn.
for (let r = 0; r < runs; r++) {
  for (const s of sessions) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await s.session.run({ image: s.input });
    s.wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    s.cpu += (c.user + c.system) / 1000;
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const base = sessions[0];
console.log(`onnxruntime-node, batch 1, ${threads} intra-op thread(s), ${runs} runs each, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
console.log('| backbone | input | pooled layers | embedding | ONNX file | wall ms/image (median) | CPU ms/image | CPU vs MobileNetV2 |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const s of sessions) {
  const cpu = s.cpu / runs;
  console.log(`| ${s.model} | ${s.size} px | ${s.layers.join(', ')} | ${s.width}-d | ${(s.bytes.length / 1e6).toFixed(1)} MB | ${median(s.wall).toFixed(1)} | ${cpu.toFixed(1)} | ${(cpu / (base.cpu / runs)).toFixed(2)}x |`);
}
for (const s of sessions) await s.session.release();

if (opt['models-out']) {
  const out = resolve(opt['models-out']);
  const src = join(ROOT, 'models', 'clip');
  const version = readFileSync(join(src, 'default'), 'utf8').trim();
  for (const s of sessions.slice(1)) {
    const dir = join(out, s.name, 'clip');
    rmSync(join(out, s.name), { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cpSync(join(src, version), join(dir, version), { recursive: true });
    copyFileSync(join(src, 'default'), join(dir, 'default'));
    const model = appendSoftmaxHead(s.bytes, { weights: new Float32Array(s.width).fill(1e-4), bias: 0 }, { embeddingOutput: 'embedding', outputName: 'probabilities', producerName: 'bench/clip-backbone-cost.mjs', docString: 'latency benchmark only: constant head' });
    writeFileSync(join(dir, version, 'model.onnx'), model);
    const manifestPath = join(dir, version, 'manifest.json');
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    m.sha256 = createHash('sha256').update(model).digest('hex');
    m.files['model.onnx'] = m.sha256;
    Object.assign(m.input, { width: s.size, height: s.size });
    writeFileSync(manifestPath, JSON.stringify(m, null, 2));
    console.log(`wrote ${join(out, s.name)} (model.onnx ${(model.length / 1e6).toFixed(1)} MB)`);
  }
}
