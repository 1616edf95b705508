import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LGBM_FEATURE_SET } from '@cataract/imaging';

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

/** A MODELS_DIR in a temp folder; versions are written with a manifest holding every file's sha256. */
export class StoreFixture {
  readonly dir = mkdtempSync(join(tmpdir(), 'model-store-'));

  /** models/lgbm/<version>/ with model.txt + README.md; `default` written when asked. */
  addLgbm(version: string, opts: { makeDefault?: boolean; featureVersion?: string; modelText?: string } = {}): string {
    const dir = join(this.dir, 'lgbm', version);
    mkdirSync(dir, { recursive: true });
    const model = opts.modelText ?? `tree\nversion=v4\n# ${version}\n`;
    const readme = `# ${version}\n`;
    writeFileSync(join(dir, 'model.txt'), model);
    writeFileSync(join(dir, 'README.md'), readme);
    const manifest = {
      name: 'lgbm',
      version,
      runtime: 'lightgbm',
      file: 'model.txt',
      sha256: sha(model),
      files: { 'model.txt': sha(model), 'README.md': sha(readme) },
      labels: ['normal', 'cataract'],
      positive_label: 'cataract',
      threshold: 0.5,
      created: '2026-01-01T00:00:00.000Z',
      feature_set: { name: LGBM_FEATURE_SET.name, version: opts.featureVersion ?? LGBM_FEATURE_SET.version },
    };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
    if (opts.makeDefault) writeFileSync(join(this.dir, 'lgbm', 'default'), `${version}\n`);
    return dir;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
