import { readFile } from 'node:fs/promises';
import { manifestPath, ModelManifest, ModelManifestSchema, ModelType } from '@cataract/contracts';

export interface ModelInfo {
  version: string;
  runtime: ModelManifest['runtime'];
  labels: string[];
  threshold: number;
  created: string;
}

/**
 * What MODELS_DIR says about each model (its manifest; the actors own the weights). Re-read at most
 * every ttlMs so a retrained model shows up without restarting the gateway.
 */
export class ModelCatalog {
  private cache = new Map<ModelType, { at: number; info: ModelInfo | undefined }>();

  constructor(
    private readonly modelsDir: string,
    private readonly ttlMs = 5000,
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
      const m = ModelManifestSchema.parse(JSON.parse(await readFile(manifestPath(this.modelsDir, model), 'utf8')));
      return { version: m.version, runtime: m.runtime, labels: [...m.labels], threshold: m.threshold, created: m.created };
    } catch {
      return undefined; // absent or invalid: the actor refuses it too, and /health says so
    }
  }
}
