import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LgbmFixture, writeLgbmFixture } from '@cataract/test-support/models';
import { ManifestError } from '../src/errors';
import { loadModelFiles } from '../src/manifest';

describe('loadModelFiles', () => {
  let fx: LgbmFixture;
  beforeEach(() => {
    fx = writeLgbmFixture();
  });
  afterEach(() => fx.remove());

  const manifestFile = () => join(fx.modelsDir, 'lgbm', 'manifest.json');
  const edit = (f: (m: Record<string, unknown>) => void) => {
    const m = JSON.parse(readFileSync(manifestFile(), 'utf8'));
    f(m);
    writeFileSync(manifestFile(), JSON.stringify(m));
  };

  it('loads the manifest and the checksum-verified model bytes', async () => {
    const files = await loadModelFiles(fx.modelsDir, 'lgbm');
    expect(files.manifest).toMatchObject({ name: 'lgbm', runtime: 'lightgbm', version: fx.version });
    expect(files.bytes.toString()).toContain('objective=binary');
    expect(files.modelPath).toBe(join(fx.modelsDir, 'lgbm', 'model.txt'));
  });

  it('refuses a model file that does not match its sha256', async () => {
    writeFileSync(join(fx.modelsDir, 'lgbm', 'model.txt'), 'tampered');
    await expect(loadModelFiles(fx.modelsDir, 'lgbm')).rejects.toThrow(/sha256/);
  });

  it('refuses a manifest for another model type', async () => {
    await expect(loadModelFiles(fx.modelsDir, 'clip')).rejects.toBeInstanceOf(ManifestError); // no clip dir
    edit((m) => (m.name = 'clip'));
    await expect(loadModelFiles(fx.modelsDir, 'lgbm')).rejects.toThrow(/for 'clip'/);
  });

  it('refuses invalid manifests with the field named', async () => {
    edit((m) => delete m.feature_set);
    await expect(loadModelFiles(fx.modelsDir, 'lgbm')).rejects.toThrow(/feature_set/);
    writeFileSync(manifestFile(), '{not json');
    await expect(loadModelFiles(fx.modelsDir, 'lgbm')).rejects.toThrow(/not JSON/);
  });

  it('refuses a missing model file', async () => {
    rmSync(join(fx.modelsDir, 'lgbm', 'model.txt'));
    await expect(loadModelFiles(fx.modelsDir, 'lgbm')).rejects.toThrow(/cannot read model file/);
  });
});
