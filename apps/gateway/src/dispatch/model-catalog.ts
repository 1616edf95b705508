import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelManifest, ModelManifestSchema, ModelType } from '@cataract/contracts';
import { defaultVersion, locateVersion, MANIFEST_FILE } from '@cataract/model-store';

export interface ModelInfo {
  version: string;
  runtime: ModelManifest['runtime'];
  labels: string[];
  threshold: number;
  created: string;
}

/** The version the cluster serves for a type (from its Redis model state), undefined when none is stored. */
export type ServingVersionSource = (model: ModelType) => Promise<string | undefined>;

/**
 * What MODELS_DIR says about the version each model type serves (its manifest; the actors own the
 * weights): the version named by the cluster's model state, else the store's default. Re-read at
 * most every ttlMs, so a promotion shows up without restarting the gateway.
 */
export class ModelCatalog {
  private cache = new Map<ModelType, { at: number; info: ModelInfo | undefined }>();

  constructor(
    private readonly modelsDir: string,
    private readonly ttlMs = 5000,
    private readonly serving?: ServingVersionSource,
  ) {}

  async get(model: ModelType): Promise<ModelInfo | undefined> {
    const c = this.cache.get(model);
    if (c && Date.now() - c.at < this.ttlMs) return c.info;
    const info = await this.read(model);
    this.cache.set(model, { at: Date.now(), info });
    return info;
  }

  private async read(model: ModelType): Promise<ModelInfo | undefined> {
    try {
      const version = (await this.serving?.(model).catch(() => undefined)) ?? defaultVersion(this.modelsDir, model);
      if (!version) return undefined;
      const dir = locateVersion(this.modelsDir, model, version).dir;
      const m = ModelManifestSchema.parse(JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')));
      return { version: m.version, runtime: m.runtime, labels: [...m.labels], threshold: m.threshold, created: m.created };
    } catch {
      return undefined; // absent or invalid: the actor refuses it too, and /health says so
    }
  }
}
