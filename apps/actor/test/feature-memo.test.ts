import { LgbmFixture, writeLgbmFixture } from '@cataract/test-support/models';
import { syntheticEye } from '@cataract/test-support/photos';
import { loadModelFiles } from '../src/manifest';
import { createRuntime } from '../src/runtimes/registry';

const extract = jest.fn();
jest.mock('@cataract/imaging', () => {
  const real = jest.requireActual('@cataract/imaging');
  // the runtime decodes the working square itself (its input statistics read it too): count decodes
  return { ...real, decodeWorkingImage: (...a: unknown[]) => (extract(...a), real.decodeWorkingImage(...a)) };
});

describe('lgbm feature memo (a shadow version on a copy of a request)', () => {
  let fx: LgbmFixture;
  beforeEach(() => {
    fx = writeLgbmFixture();
    extract.mockClear();
  });
  afterEach(() => fx.remove());

  it('a second lgbm version predicting the same upload bytes reuses their features: one decode, the same answer', async () => {
    const serving = createRuntime(await loadModelFiles(fx.modelsDir, 'lgbm'));
    const shadow = createRuntime(await loadModelFiles(fx.modelsDir, 'lgbm'));
    await Promise.all([serving.load(), shadow.load()]);
    extract.mockClear(); // load() predicts a zero row, no image
    const bytes = await syntheticEye({ label: 'cataract', seed: 3 });
    const [a] = await serving.predict([bytes]);
    const [b] = await shadow.predict([bytes]);
    expect(extract).toHaveBeenCalledTimes(1);
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect(b.probabilities).toEqual(a.probabilities);
  });

  it('other bytes, even equal in content, are decoded again (the memo is by upload, not by content)', async () => {
    const rt = createRuntime(await loadModelFiles(fx.modelsDir, 'lgbm'));
    await rt.load();
    extract.mockClear();
    const bytes = await syntheticEye({ label: 'normal', seed: 4 });
    await rt.predict([bytes]);
    await rt.predict([Buffer.from(bytes)]);
    expect(extract).toHaveBeenCalledTimes(2);
  });

  it('a photo that failed to decode is not remembered: the next try decodes again', async () => {
    const rt = createRuntime(await loadModelFiles(fx.modelsDir, 'lgbm'));
    await rt.load();
    extract.mockClear();
    const junk = Buffer.from('not an image at all');
    const [first] = await rt.predict([junk]);
    const [second] = await rt.predict([junk]);
    expect([first.ok, second.ok]).toEqual([false, false]);
    expect(extract).toHaveBeenCalledTimes(2);
  });
});
