/** Publishing a candidate into the versioned store: sealed with every file's sha256, immutable, never overwriting, default only when asked. */
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { defaultVersion, listVersions, verifyVersion } from '@cataract/model-store';
import { publishVersion, PublishError, sealVersion } from '../src/store/publish-version';

const REPO_MODELS = path.resolve(__dirname, '..', '..', 'models');
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('publishing a version', () => {
  let dir: string;
  let store: string;
  let def: string;
  /** The versions the repository's store holds (a default and the ones it came from). */
  let stored: string[];
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cataract-publish-'));
    store = path.join(dir, 'models');
    cpSync(path.join(REPO_MODELS, 'lgbm'), path.join(store, 'lgbm'), { recursive: true });
    def = defaultVersion(store, 'lgbm')!;
    stored = listVersions(store, 'lgbm');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** A candidate folder named `version`: the default version's model and card, a new file, a manifest without files{}. */
  async function stage(version: string, extra = 'new'): Promise<string> {
    const staged = path.join(dir, 'candidates', 'lgbm', version);
    cpSync(path.join(store, 'lgbm', def), staged, { recursive: true });
    for (const f of readdirSync(staged)) if (!['model.txt', 'README.md', 'manifest.json'].includes(f)) rmSync(path.join(staged, f));
    writeFileSync(path.join(staged, 'reference-stats.json'), JSON.stringify({ extra }));
    const m = JSON.parse(readFileSync(path.join(staged, 'manifest.json'), 'utf8'));
    delete m.files;
    await sealVersion(staged, { ...m, version, sha256: '0'.repeat(64) });
    return staged;
  }

  const code = (p: Promise<unknown>) => p.then(() => 'published', (e: unknown) => (e instanceof PublishError ? e.code : `other: ${(e as Error).message}`));

  test('sealed with the sha256 of every file, published as a read-only folder the store verifies; default untouched', async () => {
    const staged = await stage('lgbm-next');
    const m = JSON.parse(readFileSync(path.join(staged, 'manifest.json'), 'utf8'));
    expect(Object.keys(m.files).sort()).toEqual(['README.md', 'model.txt', 'reference-stats.json']);
    for (const f of Object.keys(m.files)) expect(m.files[f]).toBe(sha(path.join(staged, f)));
    expect(m.sha256).toBe(m.files['model.txt']);

    const p = await publishVersion(store, staged);
    expect(p).toEqual({ type: 'lgbm', version: 'lgbm-next', dir: path.join(store, 'lgbm', 'lgbm-next'), setDefault: false });
    await expect(verifyVersion(store, 'lgbm', 'lgbm-next')).resolves.toMatchObject({ manifest: { version: 'lgbm-next' } });
    for (const f of readdirSync(p.dir)) expect(statSync(path.join(p.dir, f)).mode & 0o222).toBe(0);
    expect(defaultVersion(store, 'lgbm')).toBe(def);
    expect(listVersions(store, 'lgbm')).toEqual([...stored, 'lgbm-next'].sort());
    expect(readdirSync(path.join(store, 'lgbm')).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  test('--set-default names the new version in <type>/default', async () => {
    await publishVersion(store, await stage('lgbm-next'), { setDefault: true });
    expect(defaultVersion(store, 'lgbm')).toBe('lgbm-next');
  });

  test('an existing version is never overwritten: the same name is refused whatever the content, and its files stay as they were', async () => {
    const first = await publishVersion(store, await stage('lgbm-next', 'first'));
    const before = Object.fromEntries(readdirSync(first.dir).map((f) => [f, sha(path.join(first.dir, f))]));
    expect(await code(publishVersion(store, await stage('lgbm-next', 'second')))).toBe('already_published');
    expect(await code(publishVersion(store, await stage(def)))).toBe('already_published');
    expect(Object.fromEntries(readdirSync(first.dir).map((f) => [f, sha(path.join(first.dir, f))]))).toEqual(before);
    await expect(verifyVersion(store, 'lgbm', def)).resolves.toBeDefined();
  });

  test('a candidate the store would refuse is not published: a file changed after sealing, a manifest without files{}, another feature set', async () => {
    const tampered = await stage('lgbm-tampered');
    appendFileSync(path.join(tampered, 'model.txt'), 'Tree=999\n');
    expect(await code(publishVersion(store, tampered))).toBe('invalid_candidate');

    const unlisted = await stage('lgbm-unlisted');
    const m = JSON.parse(readFileSync(path.join(unlisted, 'manifest.json'), 'utf8'));
    delete m.files;
    writeFileSync(path.join(unlisted, 'manifest.json'), JSON.stringify(m));
    await expect(publishVersion(store, unlisted)).rejects.toThrow(/lists no files\{\}/);

    const features = await stage('lgbm-features-v1');
    const f = JSON.parse(readFileSync(path.join(features, 'manifest.json'), 'utf8'));
    await sealVersion(features, { ...f, feature_set: { ...f.feature_set, version: '1' } });
    expect(await code(publishVersion(store, features))).toBe('invalid_candidate');

    expect(listVersions(store, 'lgbm')).toEqual(stored);
    expect(readdirSync(path.join(store, 'lgbm')).filter((x) => x.startsWith('.'))).toEqual([]);
  });

  test('sealing needs the model file', async () => {
    const staged = await stage('lgbm-x');
    rmSync(path.join(staged, 'model.txt'));
    const m = JSON.parse(readFileSync(path.join(staged, 'manifest.json'), 'utf8'));
    await expect(sealVersion(staged, m)).rejects.toThrow(/the model file model\.txt is missing/);
  });
});
