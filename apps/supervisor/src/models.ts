import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { MODEL_TYPES, ModelManifestSchema, type ModelType } from '@cataract/contracts';
import { defaultVersion, locateVersion, MANIFEST_FILE } from '@cataract/model-store';

export { MODEL_TYPES, type ModelType };

export type ModelPresence =
  | { type: ModelType; present: true; version: string; file: string }
  | { type: ModelType; present: false; reason: string };

/**
 * Whether MODELS_DIR/<type> holds something an actor can load: a default version (the versioned
 * store's <type>/default, or an unversioned <type>/manifest.json) whose manifest passes the shared
 * schema, names this type, and points at a non-empty model file beside it. Only the presence is
 * checked here; the actor itself verifies the checksums (and may serve another version, named by
 * the cluster's model state in Redis).
 */
export async function detectModel(modelsDir: string, type: ModelType): Promise<ModelPresence> {
  let manifestFile: string;
  try {
    const version = defaultVersion(modelsDir, type);
    if (!version) return { type, present: false, reason: `no ${path.join(modelsDir, type, 'default')} and no ${path.join(modelsDir, type, MANIFEST_FILE)}` };
    manifestFile = path.join(locateVersion(modelsDir, type, version).dir, MANIFEST_FILE);
  } catch (err) {
    return { type, present: false, reason: (err as Error).message };
  }
  let raw: string;
  try {
    raw = await readFile(manifestFile, 'utf8');
  } catch {
    return { type, present: false, reason: `no ${manifestFile}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return { type, present: false, reason: `${manifestFile} is not JSON: ${(err as Error).message}` };
  }
  const parsed = ModelManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ');
    return { type, present: false, reason: `${manifestFile} is invalid: ${issues}` };
  }
  if (parsed.data.name !== type) {
    return { type, present: false, reason: `${manifestFile} names model '${parsed.data.name}', not '${type}'` };
  }
  const modelFile = path.join(path.dirname(manifestFile), parsed.data.file);
  try {
    const s = await stat(modelFile);
    if (!s.isFile() || s.size === 0) return { type, present: false, reason: `${modelFile} is empty or not a file` };
  } catch {
    return { type, present: false, reason: `no model file ${modelFile} (named by its manifest)` };
  }
  return { type, present: true, version: parsed.data.version, file: modelFile };
}

export function detectModels(modelsDir: string): Promise<ModelPresence[]> {
  return Promise.all(MODEL_TYPES.map((t) => detectModel(modelsDir, t)));
}
