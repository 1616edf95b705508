/**
 * @jest-environment ./packages/keras-onnx/test/support/onnx-environment.js
 */
/**
 * nsfwjs's InceptionV3 (Concatenate, BatchNormalization without scale, same-padded average pooling)
 * converted to ONNX and pooled as the clip tools pool it, against TensorFlow.js running the same
 * Keras model from the same installed files on identical input tensors: at its own 299 px (where the
 * mean of `mixed10` is the saved model's `flatten_1`) and at 224 px (the converter's inputShapes).
 * One synthetic photo always, two real ones when ../shared is present. TensorFlow.js' pure-JS CPU
 * backend needs about two minutes for this on 2 cores, and InceptionV3 is not the served backbone,
 * so it runs only with CLIP_INCEPTION_TEST=1 (the Concatenate converter itself has its own quick test
 * in packages/keras-onnx).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { imageToTensor } from '@cataract/imaging';
import { EMBEDDING_OUTPUT, INPUT_NAME, backboneInput } from '../src/clip/backbone';
import { loadNsfwjsModel } from '../src/clip/nsfwjs-model';
import { buildPooledBackbone } from '../src/clip/pooled-backbone';

const TOLERANCE = 1e-4;
const SHARED = path.resolve(__dirname, '../../../shared/data/cataract/train');
// Up to mixed10, the whole convolution stack (every Concatenate), not only the served recipe's mixed7 cut.
const LAYERS = ['mixed10', 'mixed7', 'mixed5', 'mixed2'];

/** The Keras model rebuilt in tfjs with another input size (same layer configs and weights). */
async function loadTfjsModel(size: number): Promise<tf.LayersModel> {
  const files = loadNsfwjsModel('inception_v3');
  const topology = JSON.parse(JSON.stringify(files.modelJson.modelTopology)) as { model_config: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } } };
  const input = topology.model_config.config.layers.find((l) => l.class_name === 'InputLayer')!;
  input.config.batch_input_shape = [null, size, size, 3];
  const specs = files.modelJson.weightsManifest.flatMap((g) => g.weights);
  const shards = files.modelJson.weightsManifest.flatMap((g) => g.paths.map((p) => files.shards.get(p)!));
  const data = new Uint8Array(shards.reduce((a, s) => a + s.length, 0));
  shards.reduce((at, s) => (data.set(s, at), at + s.length), 0);
  // The NSFW dense head (flatten of a fixed 8x8 pool) only builds at 299 px: cut the topology there.
  const cut = topology.model_config.config as unknown as { layers: { name: string }[]; output_layers: unknown[] };
  const keep = cut.layers.findIndex((l) => l.name === 'mixed10');
  cut.layers = cut.layers.slice(0, keep + 1);
  cut.output_layers = [['mixed10', 0, 0]];
  const kept = new Set(cut.layers.map((l) => l.name));
  const weights = specs.filter((w) => kept.has(w.name.split('/')[0]));
  // Dropped weights still occupy their bytes in the packed shard: keep only the kept ones' bytes.
  const bytesPer = (w: (typeof specs)[number]) => w.shape.reduce((a, b) => a * b, 1) * (!w.quantization ? 4 : w.quantization.dtype === 'uint8' ? 1 : 2);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const w of specs) {
    const n = bytesPer(w);
    if (kept.has(w.name.split('/')[0])) parts.push(data.subarray(at, at + n));
    at += n;
  }
  const packed = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((o, p) => (packed.set(p, o), o + p.length), 0);
  const model = await tf.loadLayersModel({
    load: async () => ({ modelTopology: topology as unknown as tf.io.ModelArtifacts['modelTopology'], weightSpecs: weights as tf.io.WeightsManifestEntry[], weightData: packed.buffer }),
  });
  const names = LAYERS.map((l) => model.getLayer(l).output as tf.SymbolicTensor);
  return tf.model({ inputs: model.inputs, outputs: names });
}

async function photos(): Promise<Buffer[]> {
  const w = 320;
  const h = 240;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) raw[(y * w + x) * 3 + c] = (x - 160) ** 2 + (y - 120) ** 2 < 70 ** 2 ? 40 + 20 * c : [200, 150, 130][c] + ((x * 7 + y * 13) % 17);
  const out = [await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer()];
  if (existsSync(SHARED)) for (const label of ['cataract', 'normal']) out.push(readFileSync(path.join(SHARED, label, readdirSync(path.join(SHARED, label)).sort()[0])));
  return out;
}

const maybe = process.env.CLIP_INCEPTION_TEST === '1' ? describe : describe.skip;
const skipNote = process.env.CLIP_INCEPTION_TEST === '1' ? '' : ' (skipped: about 2 min; set CLIP_INCEPTION_TEST=1 to run)';
maybe.each([299, 224])(`InceptionV3 pooled backbone at %i px vs TensorFlow.js${skipNote}`, (size) => {
  it(`matches the mean-pooled ${LAYERS.join(', ')} within ${TOLERANCE}`, async () => {
    tf.enableProdMode();
    await tf.setBackend('cpu');
    const spec = backboneInput(size);
    const imgs = await photos();
    const per = size * size * 3;
    const x = new Float32Array(imgs.length * per);
    for (let i = 0; i < imgs.length; i++) await imageToTensor(imgs[i], spec, x, i * per);

    const ref = await loadTfjsModel(size);
    // tfjs reference: the same concatenation of per-layer spatial means.
    const want = tf.tidy(() => {
      const maps = ref.predict(tf.tensor4d(x, [imgs.length, size, size, 3])) as tf.Tensor4D[];
      return tf.concat(maps.map((m) => tf.mean(m, [1, 2])), 1).dataSync() as Float32Array;
    });
    ref.dispose();

    const { bytes, width } = buildPooledBackbone(LAYERS, { model: 'inception_v3', size });
    expect(width).toBe(2048 + 768 + 768 + 288);
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 2 });
    try {
      const out = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', x, [imgs.length, size, size, 3]) });
      const got = out[EMBEDDING_OUTPUT].data as Float32Array;
      expect(got.length).toBe(want.length);
      let diff = 0;
      for (let i = 0; i < got.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]));
      // Non-trivial embeddings (ReLU means), so the comparison means something.
      expect(Math.max(...Array.from(want))).toBeGreaterThan(0.1);
      console.log(`InceptionV3 ${size} px, ${imgs.length} photos: max abs diff ${diff.toExponential(2)} (largest value ${Math.max(...Array.from(want)).toFixed(2)})`);
      expect(diff).toBeLessThan(TOLERANCE);
    } finally {
      await session.release();
    }
  }, 600_000);
});
