/**
 * @jest-environment ./packages/keras-onnx/test/support/onnx-environment.js
 */
/**
 * The committed clip model (models/clip): manifest contract, sha256, one graph from image tensor to
 * [N, 2] probabilities, and cross-validated figures that are those of its out-of-fold predictions.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { OnnxManifestSchema } from '@cataract/contracts';
import { imageToTensor, type TensorSpec } from '@cataract/imaging';
import { defaultVersionDir } from '@cataract/model-store';
import { sha256Buffer } from '../src/common';
import { describeCommittedCv } from './support/committed-cv';
import { BACKBONE_INPUT } from '../src/clip/backbone';

const MODEL_DIR = defaultVersionDir(path.resolve(__dirname, '../../models'), 'clip')!;
const manifest = JSON.parse(readFileSync(path.join(MODEL_DIR, 'manifest.json'), 'utf8'));
const modelBytes = readFileSync(path.join(MODEL_DIR, manifest.file));
const spec = manifest.input as TensorSpec & { name: string };

async function run(session: ort.InferenceSession, photos: Buffer[]): Promise<Float32Array> {
  const per = spec.width * spec.height * 3;
  const x = new Float32Array(photos.length * per);
  for (let i = 0; i < photos.length; i++) await imageToTensor(photos[i], spec, x, i * per);
  const out = await session.run({ [spec.name]: new ort.Tensor('float32', x, [photos.length, spec.height, spec.width, 3]) });
  const t = out[manifest.output.name];
  expect(t.dims).toEqual([photos.length, 2]);
  return t.data as Float32Array;
}

describe('committed clip model (models/clip)', () => {
  let session: ort.InferenceSession;
  beforeAll(async () => {
    session = await ort.InferenceSession.create(modelBytes, { intraOpNumThreads: 2 });
  });
  afterAll(async () => session?.release());

  it('has a manifest that satisfies the contract, with the backbone input spec', () => {
    const m = OnnxManifestSchema.parse(manifest);
    expect(m.name).toBe('clip');
    expect(m.labels).toEqual(['normal', 'cataract']);
    expect(m.output).toEqual({ name: 'probabilities', kind: 'probabilities' });
    expect(m.input).toEqual(BACKBONE_INPUT);
    // a version published again with its reference statistics keeps the name and adds -ref<8 hex>
    expect(m.version).toMatch(new RegExp(`^clip-\\d{8}-${m.sha256.slice(0, 8)}(-ref[0-9a-f]{8})?$`));
  });

  it('model.onnx matches the manifest sha256', () => {
    expect(sha256Buffer(modelBytes)).toBe(manifest.sha256);
  });

  it('is one graph: image tensor in, [N, 2] probabilities out', () => {
    expect(session.inputNames).toEqual([spec.name]);
    expect(session.outputNames).toEqual([manifest.output.name]);
  });

  it('classifies a synthetic image: [1, 2] probabilities summing to 1, same per row in a batch', async () => {
    const img = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 180, g: 120, b: 100 } } })
      .composite([{ input: Buffer.from('<svg width="320" height="240"><circle cx="160" cy="120" r="50" fill="#222"/></svg>') }])
      .jpeg()
      .toBuffer();
    const single = await run(session, [img]);
    expect(single[0] + single[1]).toBeCloseTo(1, 5);
    for (const v of single) expect(v >= 0 && v <= 1).toBe(true);
    const grey = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).png().toBuffer();
    const batch = await run(session, [grey, img, grey]);
    expect(batch[2]).toBeCloseTo(single[0], 5);
    expect(batch[3]).toBeCloseTo(single[1], 5);
    expect(batch[0]).toBeCloseTo(batch[4], 6);
  });
});

describeCommittedCv(MODEL_DIR);
