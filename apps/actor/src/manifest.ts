import type { ModelManifest, ModelType } from '@cataract/contracts';
import { defaultVersion, ModelStoreError, verifyVersion } from '@cataract/model-store';
import { join } from 'node:path';
import { ManifestError } from './errors';

export interface LoadedModelFiles {
  manifest: ModelManifest;
  /** Directory holding the manifest and the model file. */
  dir: string;
  modelPath: string;
  /** The model file's bytes, already checked against manifest.sha256. */
  bytes: Buffer;
}

/**
 * Reads one version of a model type from the versioned store (the type's default version when none
 * is named), checked by @cataract/model-store: manifest schema, type and version, the sha256 of
 * every file, the feature set. Any refusal is a ManifestError naming the file.
 */
export async function loadModelFiles(modelsDir: string, model: ModelType, version?: string): Promise<LoadedModelFiles> {
  try {
    const name = version ?? defaultVersion(modelsDir, model);
    if (!name) throw new ModelStoreError('unknown_version', `no ${model} model (neither ${model}/default nor ${model}/manifest.json)`);
    const v = await verifyVersion(modelsDir, model, name);
    return { manifest: v.manifest, dir: v.location.dir, modelPath: v.modelPath, bytes: v.bytes };
  } catch (err) {
    if (err instanceof ModelStoreError) throw new ManifestError(err.message, join(modelsDir, model), { cause: err });
    throw err;
  }
}
