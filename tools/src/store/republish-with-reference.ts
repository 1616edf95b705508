/**
 * Publishes an existing model version again, as a NEW version, with the reference-stats.json that
 * drift monitoring compares live uploads with (docs/drift.md): for versions trained before the
 * trainers wrote that file. A published version never changes, so the file cannot be added to it.
 * The new version holds the same model file and the same other files (cards, out-of-fold
 * predictions: they describe the same weights), the statistics of the training photos measured on
 * the view the model decodes, and a manifest naming the version it came from (`derived_from`). It
 * is staged under `candidatesDir`, sealed and published like a trained candidate, and named in
 * <type>/default only when asked. Its name is the original's with `-ref<first 8 hex of the
 * reference's sha256>`: it still names the model file's sha256 as every version does, and differs
 * from the version it came from. The out-of-fold predictions are relabelled with the new name
 * (they say which version they belong to); the card gets a line saying where the version came from.
 */
import { appendFile, copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelType } from '@cataract/contracts';
import { LGBM_STATS_VIEW, REFERENCE_STATS_FILE, statsViewOfTensorSpec, type ReferenceStats, type StatsView } from '@cataract/imaging';
import { MANIFEST_FILE, verifyVersion } from '@cataract/model-store';
import type { LabelledImage } from '../common/dataset';
import { sha256File } from '../common/manifest';
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
    const version = `${o.from}-ref${refSha.slice(0, 8)}`;
    staged = path.join(typeDir, version);
    await rm(staged, { recursive: true, force: true });
    await mkdir(staged, { recursive: true });
    for (const f of await readdir(original.location.dir)) {
      if (f !== MANIFEST_FILE && !f.startsWith('.')) await copyFile(path.join(original.location.dir, f), path.join(staged, f));
    }
    await copyFile(path.join(scratch, REFERENCE_STATS_FILE), path.join(staged, REFERENCE_STATS_FILE));
    await relabel(staged, o.from, version, reference.samples);
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

/**
 * The copied out-of-fold predictions name the new version (the committed-model tests and
 * train:ensemble read `model` as the version the file belongs to), and the card says where the
 * version came from. Both stay otherwise as they were: the same weights, the same figures.
 */
async function relabel(dir: string, from: string, version: string, samples: number): Promise<void> {
  const oof = path.join(dir, 'oof-predictions.json');
  const text = await readFile(oof, 'utf8').catch(() => undefined);
  if (text !== undefined) {
    const json = JSON.parse(text) as { model?: unknown };
    // The files are compact JSON: a textual swap keeps every other byte; anything else is re-serialised.
    const swapped = text.replace(`"model":${JSON.stringify(from)}`, `"model":${JSON.stringify(version)}`);
    if (json.model === from) await writeFile(oof, swapped !== text ? swapped : JSON.stringify({ ...json, model: version }));
  }
  const card = path.join(dir, 'README.md');
  const hasCard = await readFile(card).then(
    () => true,
    () => false,
  );
  if (hasCard) await appendFile(card, `\n> Version \`${version}\` is \`${from}\` published again with \`${REFERENCE_STATS_FILE}\` (the input statistics of its ${samples} training photos, for drift monitoring): the same model file, the same figures.\n`);
}
