import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelManifest, ModelManifestSchema, ModelType, ReferenceStatsFile, ReferenceStatsSchema } from '@cataract/contracts';
import { LGBM_STATS_VIEW, REFERENCE_STATS_FILE, StatsView, statsViewOfTensorSpec } from '@cataract/imaging';
import { locateVersion, MANIFEST_FILE } from '@cataract/model-store';

/** What a model version's own files say its live figures should look like. */
export interface VersionBaseline {
  /** reference-stats.json, when the version ships one that checks out. */
  reference?: ReferenceStatsFile;
  /** Why there is no reference (absent, not in the manifest, damaged, measured on other pixels). */
  referenceProblem?: string;
  /** Cataract share of the photos the version was trained on (its manifest's training photos per label). */
  trainingPositiveRate?: number;
}

/** A failed read (a version not on this gateway's disk yet) is tried again after this long. */
const RETRY_MS = 30_000;

/**
 * Reads each version's baseline from MODELS_DIR once: versions are immutable, so a baseline read
 * is kept for good (a failed read only for RETRY_MS). The reference file must be listed in the
 * manifest's `files` with its sha256, as every file of a published version is, and must have
 * been measured on the pixels the model decodes (its `view`).
 */
export class VersionBaselines {
  private readonly cache = new Map<string, { at: number; baseline: VersionBaseline; final: boolean }>();

  constructor(
    private readonly modelsDir: string,
    private readonly now: () => number = Date.now,
  ) {}

  async get(model: ModelType, version: string): Promise<VersionBaseline> {
    const key = `${model}:${version}`;
    const hit = this.cache.get(key);
    if (hit && (hit.final || this.now() - hit.at < RETRY_MS)) return hit.baseline;
    const { baseline, final } = await this.read(model, version);
    this.cache.set(key, { at: this.now(), baseline, final });
    return baseline;
  }

  private async read(model: ModelType, version: string): Promise<{ baseline: VersionBaseline; final: boolean }> {
    let dir: string;
    let manifest: ModelManifest;
    try {
      dir = locateVersion(this.modelsDir, model, version).dir;
      manifest = ModelManifestSchema.parse(JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')));
    } catch {
      return { baseline: { referenceProblem: `version ${version} is not in this gateway's model store (MODELS_DIR)` }, final: false };
    }
    const trainingPositiveRate = positiveShare(manifest.training);
    const withRate = (b: VersionBaseline): VersionBaseline => (trainingPositiveRate === undefined ? b : { ...b, trainingPositiveRate });
    const expected = manifest.files?.[REFERENCE_STATS_FILE];
    if (!expected) return { baseline: withRate({ referenceProblem: `version ${version} ships no ${REFERENCE_STATS_FILE} (none in its manifest's files)` }), final: true };
    try {
      const bytes = await readFile(join(dir, REFERENCE_STATS_FILE));
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual !== expected) return { baseline: withRate({ referenceProblem: `${REFERENCE_STATS_FILE} of ${version} does not match its manifest's sha256` }), final: true };
      const reference = ReferenceStatsSchema.parse(JSON.parse(bytes.toString('utf8')));
      const view = manifest.runtime === 'onnx' ? statsViewOfTensorSpec(manifest.input) : LGBM_STATS_VIEW;
      if (!sameView(reference.view, view)) {
        return { baseline: withRate({ referenceProblem: `${REFERENCE_STATS_FILE} of ${version} was measured on ${describe(reference.view)}, the model decodes ${describe(view)}` }), final: true };
      }
      return { baseline: withRate({ reference }), final: true };
    } catch (err) {
      return { baseline: withRate({ referenceProblem: `${REFERENCE_STATS_FILE} of ${version} is unreadable: ${(err as Error).message.slice(0, 200)}` }), final: false };
    }
  }
}

const sameView = (a: StatsView, b: StatsView) => a.width === b.width && a.height === b.height && a.fit === b.fit;
const describe = (v: StatsView) => `${v.width}x${v.height} '${v.fit}' pixels`;

/** Photos per label as the trainers write them (clip: training.data.photos, lgbm: training.photos); undefined when absent. */
function positiveShare(training: unknown): number | undefined {
  type Photos = { photos?: Record<string, unknown> };
  const t = training as (Photos & { data?: Photos }) | undefined;
  const photos = t?.data?.photos ?? t?.photos;
  const cataract = Number(photos?.cataract);
  const normal = Number(photos?.normal);
  if (!Number.isFinite(cataract) || !Number.isFinite(normal) || cataract < 0 || normal < 0 || cataract + normal === 0) return undefined;
  return cataract / (cataract + normal);
}
