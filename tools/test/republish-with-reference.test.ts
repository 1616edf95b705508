/** A version trained before reference-stats.json existed, published again as a new version with it. */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ReferenceStatsSchema } from '@cataract/contracts';
import { renderSampleEyePhotos } from '@cataract/imaging';
import { defaultVersion, listVersions, verifyVersion } from '@cataract/model-store';
import type { LabelledImage } from '../src/common/dataset';
import { PublishError } from '../src/store/publish-version';
import { republishWithReference } from '../src/store/republish-with-reference';

const REPO_MODELS = path.resolve(__dirname, '..', '..', 'models');

describe('republishWithReference', () => {
  let dir: string;
  let store: string;
  let photos: LabelledImage[];
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cataract-reference-'));
    store = path.join(dir, 'models');
    for (const type of ['lgbm', 'clip']) cpSync(path.join(REPO_MODELS, type), path.join(store, type), { recursive: true });
    const eyes = await renderSampleEyePhotos();
    photos = eyes.map((bytes, i) => {
      const label = i % 2 ? 'normal' : 'cataract';
      mkdirSync(path.join(dir, 'data', label), { recursive: true });
      const p = path.join(dir, 'data', label, `eye-${i}.jpg`);
      writeFileSync(p, bytes);
      return { path: p, label };
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A version of the repository's store trained before reference-stats.json existed. */
  const original = (type: 'lgbm' | 'clip') =>
    listVersions(REPO_MODELS, type).find((v) => !JSON.parse(readFileSync(path.join(REPO_MODELS, type, v, 'manifest.json'), 'utf8')).files?.['reference-stats.json'])!;
  const run = (type: 'lgbm' | 'clip', setDefault = false, from = original(type)) =>
    republishWithReference({ modelsDir: store, candidatesDir: path.join(dir, 'candidates'), type, from, photos, source: { test: true }, setDefault });

  it('a new version: the same model file, a reference on the model\'s view listed with its sha256, the old name + -ref<hex>; default only when asked', async () => {
    const before = original('lgbm');
    const servedBefore = defaultVersion(store, 'lgbm');
    const p = await run('lgbm');
    expect(p.version).not.toBe(before);
    expect(p.version).toMatch(new RegExp(`^${before}-ref[0-9a-f]{8}$`));
    expect(defaultVersion(store, 'lgbm')).toBe(servedBefore);
    const v = await verifyVersion(store, 'lgbm', p.version);
    const old = await verifyVersion(store, 'lgbm', before);
    expect(v.manifest.sha256).toBe(old.manifest.sha256);
    expect(v.manifest.files?.['reference-stats.json']).toMatch(/^[0-9a-f]{64}$/);
    expect((v.manifest as Record<string, unknown>).derived_from).toMatchObject({ version: before });
    const ref = ReferenceStatsSchema.parse(JSON.parse(readFileSync(path.join(v.location.dir, 'reference-stats.json'), 'utf8')));
    expect(ref).toMatchObject({ samples: photos.length, view: { width: 128, height: 128, fit: 'cover' }, source: { derived_from: before } });
    // the out-of-fold predictions name the version they now belong to; the card says where it came from
    expect(JSON.parse(readFileSync(path.join(v.location.dir, 'oof-predictions.json'), 'utf8')).model).toBe(p.version);
    expect(readFileSync(path.join(v.location.dir, 'README.md'), 'utf8')).toContain(`\`${p.version}\` is \`${before}\` published again`);
  });

  it('clip\'s reference is measured on its input tensor\'s view; --set-default names the new version', async () => {
    const p = await run('clip', true);
    expect(p.view).toEqual({ width: 224, height: 224, fit: 'fill' });
    expect(defaultVersion(store, 'clip')).toBe(p.version);
  });

  it('refuses a version that already ships a reference, and the same result twice (a version never changes)', async () => {
    const withRef = defaultVersion(store, 'clip')!;
    await expect(run('clip', false, withRef)).rejects.toThrow(/already ships reference-stats.json/);
    await expect(run('lgbm')).rejects.toBeInstanceOf(PublishError);
  });
});
