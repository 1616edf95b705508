import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isModelType, MODEL_TYPES, ModelType, ModelVersionSchema } from '@cataract/contracts';
import { ModelStoreError } from './errors';

/**
 * Where versions live under MODELS_DIR:
 *
 *   <type>/<version>/manifest.json   one immutable version (its `version` equals the folder's name)
 *   <type>/default                   the version served while Redis holds no state for the type
 *
 * A type folder holding manifest.json itself (no `default`) is the unversioned layout that
 * training runs and test fixtures write: one version, named by its manifest, in the type folder.
 * Nothing here writes: MODELS_DIR may be mounted read-only.
 */
export const DEFAULT_FILE = 'default';
export const MANIFEST_FILE = 'manifest.json';

export interface VersionLocation {
  type: ModelType;
  version: string;
  dir: string;
  /** True for the unversioned layout (manifest directly in the type folder). */
  unversioned: boolean;
}

export function assertModelType(type: string): ModelType {
  if (!isModelType(type)) throw new ModelStoreError('unknown_model_type', `unknown model type '${type}' (known: ${MODEL_TYPES.join(', ')})`);
  return type;
}

export function assertVersionName(version: string): string {
  if (!ModelVersionSchema.safeParse(version).success) {
    throw new ModelStoreError('invalid_request', `'${version}' is not a version name (1-100 letters, digits, . _ -)`);
  }
  return version;
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

function unversionedVersion(modelsDir: string, type: ModelType): string | undefined {
  const file = join(modelsDir, type, MANIFEST_FILE);
  if (!existsSync(file)) return undefined;
  let v: unknown;
  try {
    v = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
  } catch (err) {
    throw new ModelStoreError('invalid_manifest', `${file}: ${err instanceof SyntaxError ? 'not JSON' : (err as Error).message}`, { cause: err });
  }
  if (typeof v !== 'string' || v.length === 0) throw new ModelStoreError('invalid_manifest', `${file}: invalid manifest: version: must be a non-empty string`);
  return v;
}

/** The version named by <type>/default, or the unversioned layout's; undefined when the type has no model. */
export function defaultVersion(modelsDir: string, type: ModelType): string | undefined {
  const file = join(modelsDir, type, DEFAULT_FILE);
  if (existsSync(file)) {
    const name = readFileSync(file, 'utf8').trim();
    if (name.length === 0) throw new ModelStoreError('invalid_manifest', `${file} is empty: it must name a version folder`);
    return name;
  }
  return unversionedVersion(modelsDir, type);
}

/** Versions present for a type, sorted by name (the unversioned one included). */
export function listVersions(modelsDir: string, type: ModelType): string[] {
  const typeDir = join(modelsDir, type);
  if (!isDir(typeDir)) return [];
  const versions = readdirSync(typeDir).filter((name) => ModelVersionSchema.safeParse(name).success && existsSync(join(typeDir, name, MANIFEST_FILE)));
  const flat = existsSync(join(typeDir, DEFAULT_FILE)) ? undefined : unversionedVersion(modelsDir, type);
  if (flat && !versions.includes(flat)) versions.push(flat);
  return versions.sort();
}

/** The folder of one version; ModelStoreError('unknown_version') when the store has no such version. */
export function locateVersion(modelsDir: string, type: ModelType, version: string): VersionLocation {
  assertVersionName(version);
  const dir = join(modelsDir, type, version);
  if (existsSync(join(dir, MANIFEST_FILE))) return { type, version, dir, unversioned: false };
  if (!existsSync(join(modelsDir, type, DEFAULT_FILE)) && unversionedVersion(modelsDir, type) === version) {
    return { type, version, dir: join(modelsDir, type), unversioned: true };
  }
  const known = listVersions(modelsDir, type);
  throw new ModelStoreError('unknown_version', `no version '${version}' of ${type} in ${join(modelsDir, type)} (present: ${known.join(', ') || 'none'})`);
}

/** The folder of a type's default version (what serves while Redis holds no state), undefined without a model. */
export function defaultVersionDir(modelsDir: string, type: ModelType): string | undefined {
  const version = defaultVersion(modelsDir, type);
  return version === undefined ? undefined : locateVersion(modelsDir, type, version).dir;
}

/** Model types with a default version (what `npm start` serves). */
export function typesWithModels(modelsDir: string): ModelType[] {
  return MODEL_TYPES.filter((t) => {
    try {
      return defaultVersion(modelsDir, t) !== undefined;
    } catch {
      return true; // present but broken: the actor reports why
    }
  });
}
