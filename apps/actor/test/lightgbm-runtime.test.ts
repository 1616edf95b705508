import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { extractLgbmFeatures, FeatureSetMismatchError, ImageRejectedError, inputStatsOfImage, LGBM_STATS_VIEW } from '@cataract/imaging';
import { fixtureProbability, LgbmFixture, writeLgbmFixture } from '@cataract/test-support/models';
import { syntheticEye } from '@cataract/test-support/photos';
import { IncompatibleModelError, RuntimeNotLoadedError, UnsupportedRuntimeError } from '../src/errors';
import { loadModelFiles } from '../src/manifest';
import { createRuntime } from '../src/runtimes/registry';
import { warmUp } from '../src/warmup';

describe('LightgbmRuntime', () => {
  let fx: LgbmFixture;
  beforeEach(() => {
    fx = writeLgbmFixture();
  });
  afterEach(() => fx.remove());

  it('passes the actor warm-up: every rendered photo gets a prediction (its timings are bench figures, not asserted)', async () => {
    const rt = createRuntime(await loadModelFiles(fx.modelsDir, 'lgbm'));
    await rt.load();
    expect(await warmUp(rt, 8, { inFlight: 3 })).toMatchObject({ runs: 8, inputs: 8 });
    await rt.close();
  });

  it('answers P(cataract) from imaging features through the model, per input, in order', async () => {
    const rt = createRuntime(await loadModelFiles(fx.modelsDir, 'lgbm'));
    expect(rt.kind).toBe('lightgbm');
    await rt.load();
    const images = [await syntheticEye({ label: 'cataract', seed: 1 }), await syntheticEye({ label: 'normal', seed: 2 })];
    const out = await rt.predict(images);
    expect(out).toHaveLength(2);
    for (let i = 0; i < images.length; i++) {
      const o = out[i];
      if (!o.ok) throw o.error;
      const expected = fixtureProbability(fx, await extractLgbmFeatures(images[i]));
      expect(o.probabilities.cataract).toBeCloseTo(expected, 12);
      expect(o.probabilities.cataract + o.probabilities.normal).toBeCloseTo(1, 12);
    }
    // the fixture separates milky from black pupils
    expect(out.map((o) => (o.ok ? o.probabilities.cataract > 0.5 : null))).toEqual([true, false]);
  });

  it('reports the input statistics of the working square it computed the features from', async () => {
    const rt = createRuntime(await loadModelFiles(fx.modelsDir, 'lgbm'));
    await rt.load();
    const photo = await syntheticEye({ label: 'cataract', seed: 3 });
    const [o] = await rt.predict([photo]);
    if (!o.ok) throw o.error;
    expect(o.inputStats).toEqual(await inputStatsOfImage(photo, LGBM_STATS_VIEW));
  });

  it('a refused image fails only its own slot of the batch', async () => {
    const rt = createRuntime(await loadModelFiles(fx.modelsDir, 'lgbm'));
    await rt.load();
    const good = await syntheticEye({ label: 'normal', seed: 5 });
    const out = await rt.predict([good.subarray(0, 400), good]);
    expect(out[0].ok).toBe(false);
    expect(!out[0].ok && out[0].error).toBeInstanceOf(ImageRejectedError);
    expect(out[1].ok).toBe(true);
  });

  it('refuses to predict before load()', async () => {
    const rt = createRuntime(await loadModelFiles(fx.modelsDir, 'lgbm'));
    await expect(rt.predict([Buffer.alloc(1)])).rejects.toBeInstanceOf(RuntimeNotLoadedError);
  });

  function rewrite(mutateText: (t: string) => string, mutateManifest: (m: Record<string, any>) => void = () => undefined) {
    const dir = join(fx.modelsDir, 'lgbm');
    const text = mutateText(readFileSync(join(dir, 'model.txt'), 'utf8'));
    writeFileSync(join(dir, 'model.txt'), text);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    m.sha256 = createHash('sha256').update(text).digest('hex');
    mutateManifest(m);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
  }

  it("applies the manifest's Platt calibration to every answer (and only then the threshold)", async () => {
    const images = [await syntheticEye({ label: 'cataract', seed: 1 }), await syntheticEye({ label: 'normal', seed: 2 })];
    const plain = createRuntime(await loadModelFiles(fx.modelsDir, 'lgbm'));
    await plain.load();
    const raw = (await plain.predict(images)).map((o) => (o.ok ? o.probabilities.cataract : NaN));
    rewrite((t) => t, (m) => (m.calibration = { method: 'platt', a: 0.5, b: -0.3 }));
    const rt = createRuntime(await loadModelFiles(fx.modelsDir, 'lgbm'));
    expect(rt.kind).toBe('lightgbm');
    await rt.load();
    const out = await rt.predict([...images, images[0].subarray(0, 400)]);
    raw.forEach((p, i) => {
      const o = out[i];
      if (!o.ok) throw o.error;
      const expected = 1 / (1 + Math.exp(-(0.5 * Math.log(p / (1 - p)) - 0.3)));
      expect(o.probabilities.cataract).toBeCloseTo(expected, 12);
      expect(o.probabilities.cataract).not.toBeCloseTo(p, 3);
      expect(o.probabilities.normal).toBeCloseTo(1 - expected, 12);
    });
    expect(out[2].ok).toBe(false); // a refused image stays refused
    await rt.close();
  });

  it('refuses a manifest whose calibration is not a Platt (a, b)', async () => {
    rewrite((t) => t, (m) => (m.calibration = { method: 'isotonic' }));
    await expect(loadModelFiles(fx.modelsDir, 'lgbm')).rejects.toThrow(/calibration/);
  });

  it('refuses a model trained on another feature set', async () => {
    const files = await loadModelFiles(fx.modelsDir, 'lgbm');
    rewrite((t) => t, (m) => (m.feature_set = { name: m.feature_set.name, version: 'other' }));
    await expect(loadModelFiles(fx.modelsDir, 'lgbm')).rejects.toThrow(/feature set/i); // the store refuses it first
    const other = { ...files, manifest: { ...files.manifest, feature_set: { name: 'eye-regions', version: 'other' } } };
    await expect(createRuntime(other).load()).rejects.toBeInstanceOf(FeatureSetMismatchError); // and so would the runtime
  });

  it('refuses a model that is not a binary classifier', async () => {
    rewrite((t) => t.replace('objective=binary sigmoid:1', 'objective=regression'));
    const rt = createRuntime(await loadModelFiles(fx.modelsDir, 'lgbm'));
    await expect(rt.load()).rejects.toBeInstanceOf(IncompatibleModelError);
  });

  it('has no runtime for a manifest runtime that is not registered', async () => {
    const files = await loadModelFiles(fx.modelsDir, 'lgbm');
    const onnx = { ...files, manifest: { ...files.manifest, runtime: 'tensorrt' } } as unknown as typeof files;
    expect(() => createRuntime(onnx)).toThrow(UnsupportedRuntimeError);
  });
});
