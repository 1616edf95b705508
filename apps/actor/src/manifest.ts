import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { manifestPath, ModelManifest, ModelManifestSchema, ModelType } from '@cataract/contracts';
import { ManifestError } from './errors';

export interface LoadedModelFiles {
  manifest: ModelManifest;
  /** Directory holding the manifest and the model file. */
  dir: string;
  modelPath: string;
  /** The model file's bytes, already checked against manifest.sha256. */
  bytes: Buffer;
}

/** Reads models/<type>/manifest.json and its model file; refuses schema errors, another type or a checksum mismatch. */
export async function loadModelFiles(modelsDir: string, model: ModelType): Promise<LoadedModelFiles> {
  const path = manifestPath(modelsDir, model);
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (err) {
    throw new ManifestError(`cannot read manifest (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, path, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new ManifestError('manifest is not JSON', path, { cause: err });
  }
  const parsed = ModelManifestSchema.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ManifestError(`invalid manifest: ${details}`, path);
  }
  const manifest = parsed.data;
  if (manifest.name !== model) throw new ManifestError(`manifest is for '${manifest.name}', this actor serves '${model}'`, path);
  const dir = dirname(path);
  const modelPath = join(dir, manifest.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(modelPath);
  } catch (err) {
    throw new ManifestError(`cannot read model file ${manifest.file}`, path, { cause: err });
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== manifest.sha256) {
    throw new ManifestError(`sha256 of ${manifest.file} is ${sha}, manifest says ${manifest.sha256}; refusing to serve it`, path);
  }
  return { manifest, dir, modelPath, bytes };
}
