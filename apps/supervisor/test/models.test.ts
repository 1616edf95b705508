import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { detectModel, detectModels } from '../src/models';

const lgbmManifest = {
  name: 'lgbm',
  version: 'lgbm-test',
  runtime: 'lightgbm',
  file: 'model.txt',
  sha256: 'a'.repeat(64),
  labels: ['normal', 'cataract'],
  positive_label: 'cataract',
  threshold: 0.5,
  created: '2026-01-01T00:00:00Z',
  feature_set: { name: 'eye-stats', version: '1' },
};

describe('detectModels', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'supervisor-models-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const put = (type: string, manifest: unknown, files: Record<string, string> = {}) => {
    mkdirSync(path.join(dir, type), { recursive: true });
    const text = typeof manifest === 'string' ? manifest : JSON.stringify(manifest);
    writeFileSync(path.join(dir, type, 'manifest.json'), text);
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, type, name), content);
  };

  it('finds a model whose manifest is valid and whose file exists', async () => {
    put('lgbm', lgbmManifest, { 'model.txt': 'tree\n' });
    const found = await detectModel(dir, 'lgbm');
    expect(found).toEqual({ type: 'lgbm', present: true, version: 'lgbm-test', file: path.join(dir, 'lgbm', 'model.txt') });
  });

  it('reports every type, present or not', async () => {
    put('lgbm', lgbmManifest, { 'model.txt': 'tree\n' });
    const all = await detectModels(dir);
    expect(all.map((m) => [m.type, m.present])).toEqual([
      ['lgbm', true],
      ['clip', false],
    ]);
  });

  it('a missing directory or manifest means absent', async () => {
    const clip = await detectModel(dir, 'clip');
    expect(clip.present).toBe(false);
    expect(!clip.present && clip.reason).toMatch(/manifest\.json/);
  });

  it('a manifest without its model file means absent', async () => {
    put('lgbm', lgbmManifest);
    const m = await detectModel(dir, 'lgbm');
    expect(!m.present && m.reason).toMatch(/no model file .*model\.txt/);
  });

  it('an empty model file means absent', async () => {
    put('lgbm', lgbmManifest, { 'model.txt': '' });
    expect((await detectModel(dir, 'lgbm')).present).toBe(false);
  });

  it('a manifest that is not JSON, or breaks the schema, means absent with the reason', async () => {
    put('lgbm', '{ nope', { 'model.txt': 'x' });
    const broken = await detectModel(dir, 'lgbm');
    expect(!broken.present && broken.reason).toMatch(/not JSON/);

    put('lgbm', { ...lgbmManifest, sha256: 'xyz' }, { 'model.txt': 'x' });
    const invalid = await detectModel(dir, 'lgbm');
    expect(!invalid.present && invalid.reason).toMatch(/sha256/);
  });

  it('a manifest for another model type in this folder means absent', async () => {
    put('clip', lgbmManifest, { 'model.txt': 'x' });
    const m = await detectModel(dir, 'clip');
    expect(!m.present && m.reason).toMatch(/names model 'lgbm'/);
  });
});
