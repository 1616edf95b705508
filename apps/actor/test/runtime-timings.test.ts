import { ImageRejectedError } from '@cataract/imaging';
import { solidPng, writeOnnxFixture, type OnnxFixture } from '@cataract/test-support/onnx-models';
import { writeLgbmFixture, type LgbmFixture } from '@cataract/test-support/models';
import { syntheticEye } from '@cataract/test-support/photos';
import { jobTimings } from '../src/job-timings';
import { loadModelFiles } from '../src/manifest';
import { createRuntime } from '../src/runtimes/registry';
import type { ModelRuntime } from '../src/runtimes/runtime';

/** The timings runtimes report per input, which the actor publishes for the gateway's /metrics. */
describe('runtime timings', () => {
  const cleanups: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  const load = async (fx: OnnxFixture | LgbmFixture, model: 'clip' | 'lgbm', opts = {}): Promise<ModelRuntime> => {
    cleanups.push(() => fx.remove());
    const rt = createRuntime(await loadModelFiles(fx.modelsDir, model), opts);
    cleanups.push(() => rt.close());
    await rt.load();
    return rt;
  };

  it('lgbm: feature extraction and tree walk per input, batch size 1', async () => {
    const rt = await load(writeLgbmFixture(), 'lgbm');
    const [out] = await rt.predict([await syntheticEye({ label: 'normal', seed: 3 })]);
    if (!out.ok) throw out.error;
    expect(out.timings).toEqual({ preprocessMs: expect.any(Number), inferenceMs: expect.any(Number), batchSize: 1 });
    expect(out.timings!.preprocessMs).toBeGreaterThan(0);
    expect(out.timings!.inferenceMs).toBeGreaterThanOrEqual(0);
  });

  it('onnx: each input’s decode, and one inference shared by the inputs that decoded (their batch size)', async () => {
    const fx = writeOnnxFixture();
    const rt = await load(fx, fx.name as 'clip', { maxBatch: 4 });
    const outs = await rt.predict([await solidPng([200, 10, 10]), Buffer.from('not an image'), await solidPng([10, 10, 200])]);
    expect(outs.map((o) => o.ok)).toEqual([true, false, true]);
    if (!outs[0].ok || !outs[2].ok || outs[1].ok) throw new Error('unexpected outcomes');
    expect(outs[1].error).toBeInstanceOf(ImageRejectedError);
    for (const o of [outs[0], outs[2]]) {
      expect(o.timings).toEqual({ preprocessMs: expect.any(Number), inferenceMs: expect.any(Number), batchSize: 2 });
      expect(o.timings!.preprocessMs).toBeGreaterThan(0);
    }
    expect(outs[0].timings!.inferenceMs).toBe(outs[2].timings!.inferenceMs);
  });

  it('jobTimings turns them into the published contract (ms, 3 decimals, never negative)', () => {
    const t = jobTimings({ timestamp: 1000, processedOn: 1012 }, { epochMs: 1013, perfMs: 50 }, 57.12345, { preprocessMs: 4.00049, inferenceMs: 1.5, batchSize: 2 });
    expect(t).toEqual({ queue_wait_ms: 12, processing_ms: 7.123, preprocess_ms: 4, inference_ms: 1.5, batch_size: 2 });
    // clocks of two hosts may disagree by a little: a wait is never reported below zero
    expect(jobTimings({ timestamp: 1000, processedOn: 990 }, { epochMs: 990, perfMs: 0 }, 1, undefined)).toEqual({ queue_wait_ms: 0, processing_ms: 1, batch_size: 1 });
    expect(jobTimings({}, { epochMs: 1, perfMs: 0 }, 1, undefined)).toBeUndefined();
  });
});
