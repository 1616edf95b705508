import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultVersion } from '@cataract/model-store';
import { REAL_MODELS_DIR } from '../faults/harness/fault-cluster';

/**
 * A MODELS_DIR for the version tests: the repository's default lgbm version, and copies of it
 * published under other names: `next` (same files, its own name: a valid new version), `corrupt`
 * (the model file changed after its sha256 was recorded) and `oldFeatures` (a manifest for a
 * feature-set version this build does not compute).
 */
export interface VersionStore {
  dir: string;
  def: string;
  next: string;
  corrupt: string;
  oldFeatures: string;
  remove(): void;
}

/** Publishes a copy of lgbm version `from` under the name `to` in the store at `dir` (its manifest renamed, then `edit`ed). */
export function publishCopy(dir: string, from: string, to: string, edit: (m: Record<string, any>) => void = () => undefined): string {
  const target = join(dir, 'lgbm', to);
  cpSync(join(dir, 'lgbm', from), target, { recursive: true });
  const file = join(target, 'manifest.json');
  const m = JSON.parse(readFileSync(file, 'utf8'));
  m.version = to;
  edit(m);
  writeFileSync(file, JSON.stringify(m, null, 2));
  return to;
}

export function versionStore(): VersionStore {
  const dir = mkdtempSync(join(tmpdir(), 'cataract-versions-'));
  const def = defaultVersion(REAL_MODELS_DIR, 'lgbm')!;
  cpSync(join(REAL_MODELS_DIR, 'lgbm'), join(dir, 'lgbm'), { recursive: true });
  const next = publishCopy(dir, def, `${def}-next`);
  const corrupt = publishCopy(dir, def, `${def}-corrupt`);
  appendFileSync(join(dir, 'lgbm', corrupt, 'model.txt'), 'Tree=999\n');
  const oldFeatures = publishCopy(dir, def, `${def}-features-v1`, (m) => (m.feature_set = { ...m.feature_set, version: '1' }));
  return { dir, def, next, corrupt, oldFeatures, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
