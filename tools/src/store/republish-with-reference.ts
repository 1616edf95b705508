/**
 * Publishes an existing model version again, as a NEW version, with the reference-stats.json that
 * drift monitoring compares live uploads with (docs/drift.md): for versions trained before the
 * trainers wrote that file. A published version never changes, so the file cannot be added to it.
 * The new version holds the same model file and the same other files (cards, out-of-fold
 * predictions: they describe the same weights), the statistics of the training photos measured on
 * the view the model decodes, and a manifest naming the version it came from (`derived_from`). It
 * is staged under `candidatesDir`, sealed and published like a trained candidate, and named in
 * <type>/default only when asked. Its name is `<type>-YYYYMMDD-<8 hex>`, the hex digits those of
 * the sha256 of the model file's and the reference's sha256 together, so it differs from the
 * version it came from.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ModelType } from '@cataract/contracts';
import { LGBM_STATS_VIEW, REFERENCE_STATS_FILE, statsViewOfTensorSpec, type ReferenceStats, type StatsView } from '@cataract/imaging';
import { MANIFEST_FILE, verifyVersion } from '@cataract/model-store';
import type { LabelledImage } from '../common/dataset';
import { modelVersion, sha256File } from '../common/manifest';
import { writeReferenceStats } from '../retrain/reference-stats';
import { publishVersion, PublishError, sealVersion, type Published } from './publish-version';

export interface RepublishOptions {
  modelsDir: string;
  candidatesDir: string;
  type: ModelType;
  /** The published version to start from. */
  from: string;
  /** The photos it was trained on. */
  photos: readonly LabelledImage[];
  /** Free-form provenance written into the reference (data folder, tool). */
  source: Record<string, unknown>;
  setDefault?: boolean;
}

export async function republishWithReference(o: RepublishOptions): Promise<Published & { from: string; reference: ReferenceStats; view: StatsView }> {
  const original = await verifyVersion(o.modelsDir, o.type, o.from);
  const manifest = original.manifest as typeof original.manifest & Record<string, unknown>;
  if (manifest.files?.[REFERENCE_STATS_FILE]) throw new PublishError('invalid_candidate', `${o.type} ${o.from} already ships ${REFERENCE_STATS_FILE}`);
  const view = manifest.runtime === 'onnx' ? statsViewOfTensorSpec(manifest.input) : LGBM_STATS_VIEW;
  const typeDir = path.join(o.candidatesDir, o.type);
  const scratch = path.join(typeDir, `.reference-${o.from}-${process.pid}`);
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  let staged: string | undefined;
  try {
    const reference = await writeReferenceStats(scratch, o.photos, view, { ...o.source, derived_from: o.from });
    const refSha = await sha256File(path.join(scratch, REFERENCE_STATS_FILE));
    const version = modelVersion(o.type, createHash('sha256').update(`${manifest.sha256}${refSha}`).digest('hex'));
    staged = path.join(typeDir, version);
    await rm(staged, { recursive: true, force: true });
    await mkdir(staged, { recursive: true });
    for (const f of await readdir(original.location.dir)) {
      if (f !== MANIFEST_FILE && !f.startsWith('.')) await copyFile(path.join(original.location.dir, f), path.join(staged, f));
    }
    await copyFile(path.join(scratch, REFERENCE_STATS_FILE), path.join(staged, REFERENCE_STATS_FILE));
    await sealVersion(staged, {
      ...manifest,
      version,
      created: new Date().toISOString(),
      derived_from: { version: o.from, change: `added ${REFERENCE_STATS_FILE} (${reference.samples} photos)` },
    });
    const published = await publishVersion(o.modelsDir, staged, { setDefault: o.setDefault });
    return { ...published, from: o.from, reference, view };
  } finally {
    await rm(scratch, { recursive: true, force: true });
    if (staged) await rm(staged, { recursive: true, force: true });
  }
}
