// No special jest environment: onnxruntime runs in the runtime's own worker thread, outside jest's realm
// (the Float32Array realm problem of packages/keras-onnx/test/support/onnx-environment.js cannot arise).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calibrate } from '@cataract/contracts';
import { defaultVersionDir } from '@cataract/model-store';
import { imageToTensor, inputStatsOfImage, statsViewOfTensorSpec } from '@cataract/imaging';
import { colourRamp, OnnxFixture, solidPng, writeOnnxFixture } from '@cataract/test-support/onnx-models';
import { sharedPhotosAvailable, SHARED_PHOTOS_DIR } from '@cataract/test-support/photos';
import { IncompatibleModelError, InferenceThreadError, RuntimeNotLoadedError } from '../src/errors';
import { loadModelFiles } from '../src/manifest';
import { MicroBatcher } from '../src/scheduling/micro-batcher';
import { createRuntime } from '../src/runtimes/registry';
import type { ModelRuntime } from '../src/runtimes/runtime';
import { InferenceThread } from '../src/runtimes/inference-thread';
import { OnnxRuntime } from '../src/runtimes/onnx-runtime';

const RED: [number, number, number] = [230, 20, 10];
const BLUE: [number, number, number] = [10, 30, 220];

describe('OnnxRuntime on a tiny ONNX classifier written in the test', () => {
  const fixtures: OnnxFixture[] = [];
  const runtimes: ModelRuntime[] = [];
  afterAll(async () => {
    await Promise.all(runtimes.map((r) => r.close()));
    fixtures.forEach((f) => f.remove());
  });
  const start = async (opts: Parameters<typeof writeOnnxFixture>[0] = {}, rtOpts = { maxBatch: 8 }) => {
    const fx = writeOnnxFixture(opts);
    fixtures.push(fx);
    const rt = createRuntime(await loadModelFiles(fx.modelsDir, fx.name as 'clip'), rtOpts);
    runtimes.push(rt);
    await rt.load();
    return { fx, rt };
  };

  it('is chosen by manifest.runtime "onnx" and serves the manifest’s model: red -> cataract, blue -> normal', async () => {
    const { fx, rt } = await start();
    expect(rt).toBeInstanceOf(OnnxRuntime);
    expect(rt.preferredBatchSize).toBe(8);
    const [red, blue] = await rt.predict([await solidPng(RED), await solidPng(BLUE)]);
    if (!red.ok || !blue.ok) throw new Error('expected two answers');
    expect(red.probabilities.cataract).toBeCloseTo(fx.probability(230 / 255, 20 / 255, 10 / 255), 5);
    expect(red.probabilities.cataract).toBeGreaterThan(0.9);
    expect(blue.probabilities.cataract).toBeLessThan(0.1);
    expect(red.probabilities.normal).toBeCloseTo(1 - red.probabilities.cataract, 12);
  });

  it('applies softmax to logits, reads NCHW inputs and maps labels in either order', async () => {
    for (const opts of [{ kind: 'logits' as const }, { layout: 'NCHW' as const }, { labels: ['cataract', 'normal'] as ['cataract', 'normal'] }]) {
      const { fx, rt } = await start(opts);
      const [red] = await rt.predict([await solidPng(RED)]);
      expect(red.ok && red.probabilities.cataract).toBeCloseTo(fx.probability(230 / 255, 20 / 255, 10 / 255), 5);
    }
  });

  it('feeds each image through imaging’s imageToTensor (the training preprocessing)', async () => {
    const { fx, rt } = await start({ size: 24 });
    // A non-uniform photo: the answer must follow the channel means of imageToTensor's output.
    const photo = await twoToneJpeg();
    const t = await imageToTensor(photo, fx.manifest.input as never);
    const mean = [0, 1, 2].map((c) => t.filter((_, i) => i % 3 === c).reduce((a, b) => a + b, 0) / (24 * 24));
    const [out] = await rt.predict([photo]);
    expect(out.ok && out.probabilities.cataract).toBeCloseTo(fx.probability(mean[0], mean[1], mean[2]), 5);
  });

  it('reports each input’s statistics as read from its own tensor slot (a failed neighbour moves nothing)', async () => {
    const { fx, rt } = await start({ size: 24 });
    const photo = await twoToneJpeg();
    const [bad, good] = await rt.predict([photo.subarray(0, 30), photo]);
    expect(bad.ok).toBe(false);
    if (!good.ok) throw good.error;
    const expected = await inputStatsOfImage(photo, statsViewOfTensorSpec(fx.manifest.input as never));
    for (const [k, v] of Object.entries(expected)) expect(good.inputStats?.[k as keyof typeof expected]).toBeCloseTo(v, 9);
  });

  it('a bad image in a batch fails only its own input; the others still get their own answers', async () => {
    const { fx, rt } = await start();
    const ramp = await colourRamp(fx, 5);
    const truncated = ramp[0].bytes.subarray(0, 30);
    const inputs = [ramp[1].bytes, Buffer.from('not an image'), ramp[2].bytes, truncated, ramp[4].bytes];
    const out = await rt.predict(inputs);
    expect(out.map((o) => o.ok)).toEqual([true, false, true, false, true]);
    for (const [k, i] of [[0, 1], [2, 2], [4, 4]] as const) {
      const o = out[k];
      expect(o.ok && o.probabilities.cataract).toBeCloseTo(ramp[i].p, 5);
    }
    expect(!out[1].ok && out[1].error.name).toBe('ImageRejectedError');
    expect(!out[3].ok && out[3].error.name).toBe('ImageRejectedError');
  });

  it('takes batches larger than its preferred size', async () => {
    const { fx, rt } = await start({}, { maxBatch: 2 });
    const ramp = await colourRamp(fx, 7);
    const out = await rt.predict(ramp.map((r) => r.bytes));
    out.forEach((o, i) => expect(o.ok && o.probabilities.cataract).toBeCloseTo(ramp[i].p, 5));
  });

  it('a batch opened ahead takes inputs one by one, up to its capacity, and runs once', async () => {
    const { fx, rt } = await start();
    const ramp = await colourRamp(fx, 3);
    const batch = (rt as OnnxRuntime).openBatch(2);
    batch.add(ramp[0].bytes);
    batch.add(ramp[2].bytes);
    expect(batch.size).toBe(2);
    expect(() => batch.add(ramp[1].bytes)).toThrow(RangeError);
    const out = await batch.run();
    expect(out.map((o) => o.ok && o.probabilities.cataract)).toEqual([expect.closeTo(ramp[0].p, 5), expect.closeTo(ramp[2].p, 5)]);
    await expect(batch.run()).rejects.toThrow(/already run/);
  });

  it('refuses at load a model that does not match its manifest', async () => {
    const cases: Array<[string, (m: Record<string, any>) => void, RegExp]> = [
      ['input name', (m) => (m.input.name = 'pixels'), /no input "pixels"/],
      ['output name', (m) => (m.output.name = 'scores'), /no output "scores"/],
      ['input size', (m) => (m.input.width = 32), /shape/],
      ['layout', (m) => (m.input.layout = 'NCHW'), /shape/],
    ];
    for (const [, change, message] of cases) {
      const fx = writeOnnxFixture();
      fixtures.push(fx);
      const path = join(fx.modelsDir, 'clip', 'manifest.json');
      const m = JSON.parse(readFileSync(path, 'utf8'));
      change(m);
      writeFileSync(path, JSON.stringify(m));
      const rt = createRuntime(await loadModelFiles(fx.modelsDir, 'clip'));
      await expect(rt.load()).rejects.toThrow(message);
      await expect(rt.load()).rejects.toBeInstanceOf(IncompatibleModelError);
    }
  });

  it('after close() it refuses work, and a closed inference thread rejects instead of hanging', async () => {
    const { rt } = await start();
    await rt.close();
    await expect(rt.predict([await solidPng(RED)])).rejects.toBeInstanceOf(RuntimeNotLoadedError);
    const thread = new InferenceThread();
    await thread.close();
    await expect(thread.run('image', 'probabilities', new ArrayBuffer(16), 4, [1, 2, 2, 1])).rejects.toBeInstanceOf(InferenceThreadError);
  });

  it('an inference the session refuses fails the batch with the thread’s error and keeps the thread usable', async () => {
    const { fx } = await start();
    const thread = new InferenceThread();
    try {
      await thread.load(readFileSync(join(fx.modelsDir, 'clip', 'model.onnx')), { intraOpNumThreads: 1 });
      const buf = new ArrayBuffer(4 * 5);
      const err = await thread.run('image', 'probabilities', buf, 5, [1, 5]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InferenceThreadError);
      expect((err as InferenceThreadError).buffer?.byteLength).toBe(20); // handed back for reuse
      const ok = await thread.run('image', 'probabilities', new Float32Array(16 * 16 * 3).buffer, 16 * 16 * 3, [1, 16, 16, 3]);
      expect(ok.dims).toEqual([1, 2]);
    } finally {
      await thread.close();
    }
  });

  it('with the micro-batcher: 24 concurrent distinct images each get their own probabilities, in batches > 1', async () => {
    const { fx, rt } = await start({}, { maxBatch: 8 });
    const batcher = new MicroBatcher(rt, { maxBatch: 8, maxWaitMs: 20 });
    const ramp = await colourRamp(fx, 24);
    const out = await Promise.all(ramp.map((r) => batcher.submit(r.bytes)));
    out.forEach((o, i) => expect({ i, p: o.ok ? o.probabilities.cataract : o }).toEqual({ i, p: expect.closeTo(ramp[i].p, 5) }));
    const stats = batcher.stats();
    expect(stats.batched_inputs).toBe(24);
    expect(stats.avg_batch_size).toBeGreaterThan(1);
    await batcher.close();
  });
});

/** A JPEG with a red left half and a blue right half (not a solid colour). */
async function twoToneJpeg(): Promise<Buffer> {
  const sharp = (await import('sharp')).default;
  const w = 60;
  const h = 40;
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(x < w * 0.7 ? [220, 30, 20] : [20, 40, 200], (y * w + x) * 3);
  return sharp(data, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

const repoModels = join(__dirname, '..', '..', '..', 'models');
const clipDir = defaultVersionDir(repoModels, 'clip') ?? join(__dirname, 'no-clip-model');
const withClip = existsSync(join(clipDir, 'oof-predictions.json')) && sharedPhotosAvailable() ? describe : describe.skip;

withClip('the committed clip model (skipped without models/clip or ../shared photos)', () => {
  it("serves the graph's P(cataract) through the manifest's calibration", async () => {
    const preds = JSON.parse(readFileSync(join(clipDir, 'oof-predictions.json'), 'utf8')).predictions as Array<{ file: string }>;
    const sample = [...preds.slice(0, 4), ...preds.slice(-4)].map((s) => readFileSync(join(SHARED_PHOTOS_DIR, s.file)));
    const files = await loadModelFiles(repoModels, 'clip');
    const calibration = files.manifest.calibration;
    if (!calibration) throw new Error('the committed clip manifest has no calibration');
    const raw = createRuntime({ ...files, manifest: { ...files.manifest, calibration: undefined } }, { maxBatch: 8 });
    const rt = createRuntime(files, { maxBatch: 8 });
    await Promise.all([raw.load(), rt.load()]);
    try {
      const [plain, served] = [await raw.predict(sample), await rt.predict(sample)];
      served.forEach((o, i) => {
        const p = plain[i];
        if (!o.ok || !p.ok) throw new Error('a training photo was refused');
        expect(o.probabilities.cataract).toBeCloseTo(calibrate(p.probabilities.cataract, calibration), 9);
      });
    } finally {
      await Promise.all([raw.close(), rt.close()]);
    }
  });
});
