import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attr, encodeModel, OnnxGraphBuilder } from '@cataract/keras-onnx';
import sharp from 'sharp';

export interface OnnxFixture {
  /** MODELS_DIR holding <name>/manifest.json and <name>/model.onnx. */
  modelsDir: string;
  name: string;
  version: string;
  threshold: number;
  manifest: Record<string, unknown>;
  /** The model's exact P(cataract) for an image whose normalised channel means are (r, g, b). */
  probability(r: number, g: number, b: number): number;
  remove(): void;
}

export interface OnnxFixtureOptions {
  /** Write into this MODELS_DIR (e.g. beside an lgbm fixture) instead of a new temp one. */
  modelsDir?: string;
  name?: 'clip' | 'lgbm';
  layout?: 'NHWC' | 'NCHW';
  /** 'logits' leaves the softmax to the actor. */
  kind?: 'probabilities' | 'logits';
  labels?: ['normal', 'cataract'] | ['cataract', 'normal'];
  size?: number;
  inputName?: string;
  outputName?: string;
  /** Logit gain: P(cataract) = sigmoid(2 * gain * (mean R - mean B)). */
  gain?: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * A tiny but genuine ONNX image classifier, written with onnx-proto: (NHWC input transposed to
 * NCHW) -> GlobalAveragePool -> Flatten -> Gemm with hand-set weights -> Softmax. Red images are
 * "cataract", blue ones "normal", and the exact probability of any image follows from its channel
 * means, so tests can check every answer (and that no answer went to another caller).
 */
export function writeOnnxFixture(opts: OnnxFixtureOptions = {}): OnnxFixture {
  const name = opts.name ?? 'clip';
  const layout = opts.layout ?? 'NHWC';
  const kind = opts.kind ?? 'probabilities';
  const labels = opts.labels ?? ['normal', 'cataract'];
  const size = opts.size ?? 16;
  const inputName = opts.inputName ?? 'image';
  const outputName = opts.outputName ?? (kind === 'logits' ? 'logits' : 'probabilities');
  const gain = opts.gain ?? 3;

  const g = new OnnxGraphBuilder();
  g.addInput(inputName, layout === 'NHWC' ? ['N', size, size, 3] : ['N', 3, size, size]);
  const nchw = layout === 'NHWC' ? g.op('Transpose', [inputName], 'nchw', { perm: attr.ints([0, 3, 1, 2]) }) : inputName;
  const pooled = g.op('GlobalAveragePool', [nchw], 'pooled');
  const flat = g.op('Flatten', [pooled], 'means', { axis: attr.int(1) });
  // Column c scores labels[c]: cataract gets gain * (R - B), normal its opposite.
  const cat = labels.indexOf('cataract');
  const w = new Float32Array(6);
  w[0 * 2 + cat] = gain;
  w[2 * 2 + cat] = -gain;
  w[0 * 2 + (1 - cat)] = -gain;
  w[2 * 2 + (1 - cat)] = gain;
  const W = g.addInitializer('W', [3, 2], w);
  const B = g.addInitializer('B', [2], new Float32Array(2));
  if (kind === 'logits') {
    g.op('Gemm', [flat, W, B], outputName);
  } else {
    const logits = g.op('Gemm', [flat, W, B], 'logits');
    g.op('Softmax', [logits], outputName, { axis: attr.int(1) });
  }
  g.addOutput(outputName, ['N', 2]);
  const bytes = Buffer.from(encodeModel(g.build({ producerName: 'tests/support/onnx-models.ts', opset: 13 })));

  const modelsDir = opts.modelsDir ?? mkdtempSync(join(tmpdir(), 'cataract-onnx-'));
  const dir = join(modelsDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const version = `${name}-fixture-${sha256.slice(0, 8)}`;
  const manifest = {
    name,
    version,
    runtime: 'onnx',
    file: 'model.onnx',
    sha256,
    labels,
    positive_label: 'cataract',
    threshold: 0.5,
    created: new Date().toISOString(),
    input: { name: inputName, layout, width: size, height: size, channels: 3, mean: [0, 0, 0], std: [1, 1, 1], resize: 'fill' },
    output: { name: outputName, kind },
    training: { fixture: 'tests/support/onnx-models.ts: hand-set weights (red -> cataract, blue -> normal), for plumbing tests only' },
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return {
    modelsDir,
    name,
    version,
    threshold: 0.5,
    manifest,
    probability: (r, _g, b) => sigmoid(2 * gain * (r - b)),
    remove: () => rmSync(opts.modelsDir ? dir : modelsDir, { recursive: true, force: true }),
  };
}

/** A PNG of one solid colour (lossless, so the model sees exactly r/255, g/255, b/255 after any resize). */
export function solidPng(rgb: [number, number, number], width = 40, height = 30): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toBuffer();
}

/** n distinct colours from blue to red (distinct P(cataract) each), with the fixture's answer for each. */
export async function colourRamp(fx: OnnxFixture, n: number): Promise<Array<{ bytes: Buffer; p: number; rgb: [number, number, number] }>> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const red = Math.round((255 * i) / Math.max(1, n - 1));
      const rgb: [number, number, number] = [red, 40, 255 - red];
      return { bytes: await solidPng(rgb), p: fx.probability(rgb[0] / 255, rgb[1] / 255, rgb[2] / 255), rgb };
    }),
  );
}
