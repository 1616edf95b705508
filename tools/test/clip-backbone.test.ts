/**
 * @jest-environment ./packages/keras-onnx/test/support/onnx-environment.js
 */
/**
 * The converted nsfwjs MobileNetV2 backbone against TensorFlow.js running the same Keras model from
 * the same installed nsfwjs files: identical input tensors (imaging's imageToTensor), pooled
 * embeddings within 1e-4. Synthetic photos always; real ones when ../shared is present.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { imageToTensor } from '@cataract/imaging';
import { convertKerasModel, encodeModel, readKerasModel } from '@cataract/keras-onnx';
import { BACKBONE_INPUT, EMBEDDING_LAYER, EMBEDDING_OUTPUT, INPUT_NAME, buildBackbone } from '../src/clip/backbone';
import { loadNsfwjsModel, shardReader } from '../src/clip/nsfwjs-model';

const TOLERANCE = 1e-4;
const SHARED = path.resolve(__dirname, '../../../shared/data/cataract/train');

/** tf.loadLayersModel through a custom IOHandler over the nsfwjs files (no fetch, no file:// handler). */
async function loadTfjsModel(): Promise<tf.LayersModel> {
  const files = loadNsfwjsModel('mobilenet_v2');
  const specs = files.modelJson.weightsManifest.flatMap((g) => g.weights);
  const shards = files.modelJson.weightsManifest.flatMap((g) => g.paths.map((p) => files.shards.get(p)!));
  const data = new Uint8Array(shards.reduce((a, s) => a + s.length, 0));
  shards.reduce((at, s) => (data.set(s, at), at + s.length), 0);
  return tf.loadLayersModel({
    load: async () => ({ modelTopology: files.modelJson.modelTopology as tf.io.ModelArtifacts['modelTopology'], weightSpecs: specs as tf.io.WeightsManifestEntry[], weightData: data.buffer }),
  });
}

/** Deterministic synthetic photos of various sizes, aspect ratios and formats. */
async function syntheticPhotos(): Promise<Buffer[]> {
  const make = (w: number, h: number, f: (x: number, y: number, c: number) => number) => {
    const raw = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) raw[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(f(x, y, c))));
    return sharp(raw, { raw: { width: w, height: h, channels: 3 } });
  };
  let s = 7;
  const noise = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24);
  return Promise.all([
    make(320, 200, (x, y, c) => 128 + 100 * Math.sin((x + 2 * y) / (9 + c))).jpeg({ quality: 90 }).toBuffer(),
    // A dark "pupil" disc on a skin-toned field, roughly the shape of the dataset's photos.
    make(300, 400, (x, y, c) => ((x - 150) ** 2 + (y - 200) ** 2 < 60 ** 2 ? 30 + c * 10 : [200, 150, 130][c])).jpeg({ quality: 85 }).toBuffer(),
    make(97, 61, () => noise()).png().toBuffer(),
  ]);
}

async function tensors(photos: Buffer[]): Promise<Float32Array> {
  const per = 224 * 224 * 3;
  const batch = new Float32Array(photos.length * per);
  for (let i = 0; i < photos.length; i++) await imageToTensor(photos[i], BACKBONE_INPUT, batch, i * per);
  return batch;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('clip backbone: ONNX conversion of nsfwjs MobileNetV2 vs TensorFlow.js', () => {
  // TensorFlow.js' pure-JS CPU backend is slow (several seconds per photo, slower still inside
  // jest's sandbox), so each batch runs through it once and yields both the embedding and the
  // model's own 5-class output.
  let tfBoth: tf.LayersModel;
  let session: ort.InferenceSession;
  let synthetic: { x: Float32Array; embedding: Float32Array; softmax: Float32Array };

  const reference = (x: Float32Array) => {
    const n = x.length / (224 * 224 * 3);
    const [embedding, softmax] = tf.tidy(() => (tfBoth.predict(tf.tensor4d(x, [n, 224, 224, 3])) as tf.Tensor[]).map((t) => t.dataSync() as Float32Array));
    return { x, embedding, softmax };
  };

  beforeAll(async () => {
    tf.enableProdMode();
    await tf.setBackend('cpu');
    const keras = await loadTfjsModel();
    tfBoth = tf.model({ inputs: keras.inputs, outputs: [keras.getLayer(EMBEDDING_LAYER).output as tf.SymbolicTensor, keras.outputs[0]] });
    session = await ort.InferenceSession.create(buildBackbone().bytes, { intraOpNumThreads: 2 });
    synthetic = reference(await tensors(await syntheticPhotos()));
  }, 300_000);
  afterAll(async () => {
    await session?.release();
    tfBoth?.dispose();
  });

  const compare = async (ref: { x: Float32Array; embedding: Float32Array }) => {
    const n = ref.x.length / (224 * 224 * 3);
    const out = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', ref.x, [n, 224, 224, 3]) });
    const got = out[EMBEDDING_OUTPUT];
    expect(got.dims).toEqual([n, 1280]);
    // Embeddings are non-trivial (ReLU6 averages, not all zero) so the comparison means something.
    expect(Math.max(...Array.from(ref.embedding))).toBeGreaterThan(0.1);
    return maxAbsDiff(got.data as Float32Array, ref.embedding);
  };

  it('has an NHWC [N,224,224,3] input and a [N,1280] embedding output', () => {
    expect(session.inputNames).toEqual([INPUT_NAME]);
    expect(session.outputNames).toEqual([EMBEDDING_OUTPUT]);
  });

  it(`matches TensorFlow.js on synthetic photos within ${TOLERANCE}`, async () => {
    expect(await compare(synthetic)).toBeLessThan(TOLERANCE);
  });

  const maybe = existsSync(SHARED) ? it : it.skip;
  maybe(`matches TensorFlow.js on real photos within ${TOLERANCE}${existsSync(SHARED) ? '' : ' (skipped: ../shared/data/cataract/train absent)'}`, async () => {
    const pick = (label: string) => readFileSync(path.join(SHARED, label, readdirSync(path.join(SHARED, label)).sort()[0]));
    expect(await compare(reference(await tensors([pick('cataract'), pick('normal')])))).toBeLessThan(TOLERANCE);
  }, 300_000);

  it('converts the whole nsfwjs model too: its 5-class softmax matches TensorFlow.js', async () => {
    const files = loadNsfwjsModel('mobilenet_v2');
    const { model, outputs } = convertKerasModel(readKerasModel(files.modelJson, shardReader(files)));
    expect(outputs[0].dims).toEqual(['N', 5]);
    const full = await ort.InferenceSession.create(encodeModel(model), { intraOpNumThreads: 2 });
    try {
      const n = synthetic.x.length / (224 * 224 * 3);
      const got = await full.run({ [full.inputNames[0]]: new ort.Tensor('float32', synthetic.x, [n, 224, 224, 3]) });
      expect(maxAbsDiff(got[outputs[0].name].data as Float32Array, synthetic.softmax)).toBeLessThan(1e-5);
    } finally {
      await full.release();
    }
  });
});

describe('clip backbone input spec mirrors nsfwjs preprocessing', () => {
  it('is 224x224 NHWC RGB, x / 255 (mean 0, std 1), stretched to the square like tf.image.resizeBilinear', async () => {
    expect(BACKBONE_INPUT).toMatchObject({ layout: 'NHWC', width: 224, height: 224, channels: 3, mean: [0, 0, 0], std: [1, 1, 1], resize: 'fill' });
    // A uniform image keeps its value through any resize: each element must be exactly v / 255.
    const img = await sharp({ create: { width: 50, height: 80, channels: 3, background: { r: 255, g: 51, b: 0 } } }).png().toBuffer();
    const t = await imageToTensor(img, BACKBONE_INPUT);
    expect(t.length).toBe(224 * 224 * 3);
    expect([t[0], t[1], t[2]]).toEqual([1, Math.fround(51 / 255), 0]);
    expect([t[t.length - 3], t[t.length - 2], t[t.length - 1]]).toEqual([1, Math.fround(51 / 255), 0]);
  });

  it('builds a byte-identical backbone every time (deterministic conversion)', () => {
    const a = buildBackbone().bytes;
    const b = buildBackbone().bytes;
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
  });
});
