import { appendFileSync, cpSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultVersion, listVersions, locateVersion, ModelStoreError, typesWithModels, verifyCandidate, verifyVersion } from '../src';
import { StoreFixture } from './fixtures';

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof ModelStoreError ? err.code : `not a ModelStoreError: ${(err as Error).message}`;
  }
};

describe('versioned model store: layout and verification', () => {
  let fx: StoreFixture;
  beforeEach(() => {
    fx = new StoreFixture();
  });
  afterEach(() => fx.remove());

  it('resolves the default version, lists versions and locates each folder', async () => {
    fx.addLgbm('lgbm-a', { makeDefault: true });
    fx.addLgbm('lgbm-b');
    expect(defaultVersion(fx.dir, 'lgbm')).toBe('lgbm-a');
    expect(defaultVersion(fx.dir, 'clip')).toBeUndefined();
    expect(typesWithModels(fx.dir)).toEqual(['lgbm']);
    expect(listVersions(fx.dir, 'lgbm')).toEqual(['lgbm-a', 'lgbm-b']);
    expect(locateVersion(fx.dir, 'lgbm', 'lgbm-b')).toEqual({ type: 'lgbm', version: 'lgbm-b', dir: join(fx.dir, 'lgbm', 'lgbm-b'), unversioned: false });
    const v = await verifyVersion(fx.dir, 'lgbm', 'lgbm-b');
    expect(v.manifest.version).toBe('lgbm-b');
    expect(v.bytes.toString()).toContain('# lgbm-b');
  });

  it('serves an unversioned type folder (manifest.json beside the model) as its one version', async () => {
    const dir = fx.addLgbm('lgbm-flat');
    for (const f of ['model.txt', 'README.md', 'manifest.json']) renameSync(join(dir, f), join(fx.dir, 'lgbm', f));
    expect(defaultVersion(fx.dir, 'lgbm')).toBe('lgbm-flat');
    expect(listVersions(fx.dir, 'lgbm')).toEqual(['lgbm-flat']);
    expect((await verifyVersion(fx.dir, 'lgbm', 'lgbm-flat')).location.unversioned).toBe(true);
  });

  it('refuses an unknown type or version, naming what is there', async () => {
    fx.addLgbm('lgbm-a', { makeDefault: true });
    await expect(verifyVersion(fx.dir, 'lgbm', 'lgbm-zz')).rejects.toThrow(/no version 'lgbm-zz' of lgbm .*present: lgbm-a/);
    expect(await code(verifyVersion(fx.dir, 'lgbm', 'lgbm-zz'))).toBe('unknown_version');
    expect(await code(verifyVersion(fx.dir, 'lgbm', '../lgbm-a'))).toBe('invalid_request');
  });

  it('refuses a file whose sha256 differs from the manifest, and a file the manifest does not list', async () => {
    const dir = fx.addLgbm('lgbm-a');
    appendFileSync(join(dir, 'model.txt'), 'Tree=999\n');
    await expect(verifyVersion(fx.dir, 'lgbm', 'lgbm-a')).rejects.toThrow(/sha256 of .*model\.txt is [0-9a-f]{64}, its manifest says/);
    const dir2 = fx.addLgbm('lgbm-b');
    writeFileSync(join(dir2, 'README.md'), 'edited');
    expect(await code(verifyVersion(fx.dir, 'lgbm', 'lgbm-b'))).toBe('checksum_mismatch');
    const dir3 = fx.addLgbm('lgbm-c');
    writeFileSync(join(dir3, 'extra.bin'), 'x');
    await expect(verifyVersion(fx.dir, 'lgbm', 'lgbm-c')).rejects.toThrow(/extra\.bin not in the manifest/);
  });

  it('refuses a copied folder whose manifest names another version, or another type', async () => {
    const dir = fx.addLgbm('lgbm-a');
    cpSync(dir, join(fx.dir, 'lgbm', 'lgbm-copy'), { recursive: true });
    await expect(verifyVersion(fx.dir, 'lgbm', 'lgbm-copy')).rejects.toThrow(/manifest says version 'lgbm-a', the folder is 'lgbm-copy'/);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, name: 'clip' }));
    expect(await code(verifyVersion(fx.dir, 'lgbm', 'lgbm-a'))).toBe('invalid_manifest');
  });

  it('refuses a feature-set version this build does not compute', async () => {
    fx.addLgbm('lgbm-old', { featureVersion: '1' });
    await expect(verifyVersion(fx.dir, 'lgbm', 'lgbm-old')).rejects.toThrow(/feature set mismatch/);
    expect(await code(verifyVersion(fx.dir, 'lgbm', 'lgbm-old'))).toBe('unsupported_feature_set');
  });

  it('validates a candidate folder anywhere by its own manifest and folder name', async () => {
    const dir = fx.addLgbm('lgbm-cand');
    expect((await verifyCandidate(dir + '/')).location).toMatchObject({ type: 'lgbm', version: 'lgbm-cand' });
    writeFileSync(join(dir, 'manifest.json'), '{not json');
    await expect(verifyCandidate(dir)).rejects.toThrow(/not JSON/);
  });
});
