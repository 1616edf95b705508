/**
 * reference-stats.json of a new version: the input statistics (imaging's stats module: size,
 * brightness, colourfulness, sharpness) of every photo the version learned from, as sent (not the
 * augmented copies: drift is measured on uploads as they arrive), measured on the view the model
 * type decodes. The gateway's drift status compares live uploads with it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildReferenceStats, inputStatsOfImage, REFERENCE_STATS_FILE, type ReferenceStats, type StatsView } from '@cataract/imaging';
import { mapLimit } from '@cataract/concurrency';
import { writeFileAtomic } from '../common/manifest';
import type { LabelledImage } from '../common/dataset';

export async function writeReferenceStats(dir: string, photos: readonly LabelledImage[], view: StatsView, source: Record<string, unknown>): Promise<ReferenceStats> {
  const samples = await mapLimit(photos, 2, async (p) => inputStatsOfImage(await readFile(p.path), view));
  const ref = buildReferenceStats(samples, view, source);
  await writeFileAtomic(path.join(dir, REFERENCE_STATS_FILE), JSON.stringify(ref, null, 2) + '\n');
  return ref;
}
