/**
 * The photos a trainer learns from: the labelled folder and, with --reviewed, the reviewed uploads.
 * An upload byte-identical to a training photo (a clinic sent a photo from the set) or to another
 * reviewed upload is one photo, not two: it is dropped and reported (with the labels when they
 * disagree, so an operator sees a correction that did not take). Near-duplicates that are not
 * identical are kept; the cross-validation's grouping puts them in one fold (planPhotoFolds).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { mapLimit } from '@cataract/concurrency';
import { listLabelledImages, photoName } from '../common/dataset';
import type { CvOptions, PhotoFolds } from '../cv/photo-folds';
import { planPhotoFolds } from '../cv/photo-folds';
import { readReviewedUploads, type ReviewedPhoto, type SkippedRecord } from './reviewed-uploads';

export interface DroppedDuplicate {
  name: string;
  /** The photo it repeats (a training photo or an earlier-reviewed upload). */
  of: string;
  label: string;
  of_label: string;
}

/** What a manifest records about the reviewed uploads a version learned from. */
export interface ReviewedSummary {
  dir: string;
  used: number;
  by_label: { cataract: number; normal: number };
  unreviewed_ignored: number;
  skipped: SkippedRecord[];
  duplicates_dropped: DroppedDuplicate[];
  /** Reviewed uploads sharing a near-duplicate group with a training photo (kept, one fold). */
  grouped_with_training_photos: number;
}

export interface TrainingPhotos {
  pf: PhotoFolds;
  reviewed?: ReviewedSummary;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Drops exact duplicates: of a training photo, or of a reviewed upload reviewed later (the latest review wins). */
export function dropDuplicates(training: ReadonlyMap<string, { name: string; label: string }>, reviewed: readonly ReviewedPhoto[]): { kept: ReviewedPhoto[]; dropped: DroppedDuplicate[] } {
  const dropped: DroppedDuplicate[] = [];
  const latest = new Map<string, ReviewedPhoto>();
  for (const r of reviewed) {
    const t = training.get(r.sha256);
    if (t) {
      dropped.push({ name: r.name, of: t.name, label: r.label, of_label: t.label });
      continue;
    }
    const seen = latest.get(r.sha256);
    if (!seen) latest.set(r.sha256, r);
    else {
      const [older, newer] = seen.reviewedAt <= r.reviewedAt ? [seen, r] : [r, seen];
      dropped.push({ name: older.name, of: newer.name, label: older.label, of_label: newer.label });
      latest.set(r.sha256, newer);
    }
  }
  const keep = new Set(latest.values());
  return { kept: reviewed.filter((r) => keep.has(r)), dropped };
}

export async function trainingPhotos(dataDir: string, cv: CvOptions, reviewedDir: string | undefined, log: (m: string) => void): Promise<TrainingPhotos> {
  if (reviewedDir === undefined) return { pf: await planPhotoFolds(dataDir, cv) };
  const uploads = await readReviewedUploads(reviewedDir);
  const training = listLabelledImages(dataDir);
  const hashes = await mapLimit(training, 4, async (x) => sha256(await readFile(x.path)));
  const bySha = new Map(training.map((x, i) => [hashes[i], { name: photoName(dataDir, x.path), label: x.label }]));
  const { kept, dropped } = dropDuplicates(bySha, uploads.reviewed);
  const pf = await planPhotoFolds(dataDir, cv, kept);
  const first = training.length;
  const trainingGroups = new Set(pf.duplicates.group.slice(0, first));
  const grouped = pf.duplicates.group.slice(first).filter((g) => trainingGroups.has(g)).length;
  const summary: ReviewedSummary = {
    dir: path.resolve(reviewedDir),
    used: kept.length,
    by_label: { cataract: kept.filter((r) => r.label === 'cataract').length, normal: kept.filter((r) => r.label === 'normal').length },
    unreviewed_ignored: uploads.unreviewed,
    skipped: uploads.skipped,
    duplicates_dropped: dropped,
    grouped_with_training_photos: grouped,
  };
  log(`reviewed: ${reviewedDir}: ${kept.length} reviewed uploads join (${summary.by_label.cataract} cataract, ${summary.by_label.normal} normal); ${uploads.unreviewed} unreviewed ignored; ${dropped.length} exact duplicates dropped; ${grouped} share a near-duplicate group with a training photo`);
  for (const s of uploads.skipped) log(`  skipped ${s.sidecar}: ${s.reason}`);
  for (const d of dropped) log(`  duplicate ${d.name} (${d.label}) of ${d.of} (${d.of_label})${d.label !== d.of_label ? ': labels disagree, the kept photo keeps its label' : ''}`);
  return { pf, reviewed: summary };
}
