import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ModelManifest, ModelManifestSchema, ModelType } from '@cataract/contracts';
// The light entry point: verifying a version (npm run models, on a loaded machine) must not load sharp.
import { assertFeatureSet } from '@cataract/imaging/feature-set';
import { ModelStoreError } from './errors';
import { DEFAULT_FILE, locateVersion, MANIFEST_FILE, VersionLocation } from './layout';

export interface VerifiedVersion {
  location: VersionLocation;
  manifest: ModelManifest;
  /** The model file's path and bytes, already checked against the manifest. */
  modelPath: string;
  bytes: Buffer;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function readManifest(dir: string): Promise<ModelManifest> {
  const path = join(dir, MANIFEST_FILE);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    const why = err instanceof SyntaxError ? 'not JSON' : ((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    throw new ModelStoreError('invalid_manifest', `${path}: ${why}`, { cause: err });
  }
  const parsed = ModelManifestSchema.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ModelStoreError('invalid_manifest', `${path}: invalid manifest: ${details}`);
  }
  return parsed.data;
}

async function readChecked(dir: string, file: string, expected: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, file));
  } catch (err) {
    throw new ModelStoreError('checksum_mismatch', `${join(dir, file)}: cannot read model file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
  const actual = sha256(bytes);
  if (actual !== expected) throw new ModelStoreError('checksum_mismatch', `sha256 of ${join(dir, file)} is ${actual}, its manifest says ${expected}: the file changed or is damaged`);
  return bytes;
}

/** The imaging code of this build must compute the features an lgbm version was trained on. */
function checkFeatureSet(manifest: ModelManifest, dir: string): void {
  if (manifest.runtime !== 'lightgbm') return;
  try {
    assertFeatureSet(manifest.feature_set);
  } catch (err) {
    throw new ModelStoreError('unsupported_feature_set', `${dir}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Reads and checks one version folder: the manifest's schema, its type and version against the
 * folder, the sha256 of the model file and of every file the manifest lists (and, when it lists
 * them, that no other file sits beside them), and that this build computes its feature set.
 */
export async function verifyFolder(location: VersionLocation): Promise<VerifiedVersion> {
  const { dir, type, version } = location;
  const manifest = await readManifest(dir);
  if (manifest.name !== type) throw new ModelStoreError('invalid_manifest', `${dir}: manifest is for '${manifest.name}', not '${type}'`);
  if (manifest.version !== version) throw new ModelStoreError('invalid_manifest', `${dir}: manifest says version '${manifest.version}', the folder is '${version}'`);
  const bytes = await readChecked(dir, manifest.file, manifest.sha256);
  if (manifest.files) {
    if (manifest.files[manifest.file] !== undefined && manifest.files[manifest.file] !== manifest.sha256) {
      throw new ModelStoreError('invalid_manifest', `${dir}: files.${manifest.file} and sha256 disagree`);
    }
    for (const [file, expected] of Object.entries(manifest.files)) if (file !== manifest.file) await readChecked(dir, file, expected);
    if (!location.unversioned) {
      const listed = new Set([MANIFEST_FILE, manifest.file, ...Object.keys(manifest.files)]);
      const extra = (await readdir(dir)).filter((f) => !listed.has(f) && f !== DEFAULT_FILE && !f.startsWith('.'));
      if (extra.length > 0) throw new ModelStoreError('checksum_mismatch', `${dir}: ${extra.join(', ')} not in the manifest's files: a version is immutable once published`);
    }
  }
  checkFeatureSet(manifest, dir);
  return { location, manifest, modelPath: join(dir, manifest.file), bytes };
}

/** A published version of the store, checked. */
export async function verifyVersion(modelsDir: string, type: ModelType, version: string): Promise<VerifiedVersion> {
  return verifyFolder(locateVersion(modelsDir, type, version));
}

/** A candidate folder anywhere (`models validate DIR`): its manifest names the type, its folder name the version. */
export async function verifyCandidate(dir: string): Promise<VerifiedVersion> {
  const manifest = await readManifest(dir);
  return verifyFolder({ type: manifest.name, version: basename(dir.replace(/[/\\]+$/, '')), dir, unversioned: false });
}
