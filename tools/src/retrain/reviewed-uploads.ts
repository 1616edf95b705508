/**
 * The reviewed uploads of a CUSTOMER_DATA_DIR, as training photos. The gateway keeps each answered
 * upload as CUSTOMER_DATA_DIR/<YYYY-MM-DD>/<record_id>.<ext> with its sidecar <record_id>.json
 * (apps/gateway/src/retention/upload-store.ts); a clinician's confirmation or correction adds
 * `review: { label, note?, reviewer_key_id, reviewed_at, previous? }` to the sidecar (POST /feedback,
 * the contracts' ReviewSchema).
 * Only a record with a review joins training: an unreviewed upload's only label is the model's own
 * answer, and training on it would teach the model what it already says. A sidecar that does not
 * parse, names a file it should not, or whose image is missing or differs from its recorded sha256
 * is skipped and reported, never guessed at.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ReviewSchema } from '@cataract/contracts';
import { z } from 'zod';
import type { Label, LabelledImage } from '../common/dataset';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A record's files sit beside its sidecar: a plain name, never a path. */
const FileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'a plain file name');

/** The parts of a retention sidecar the trainers read (other fields are kept, not checked). */
export const ReviewedSidecarSchema = z.looseObject({
  record_id: FileName,
  image: z.looseObject({ file: FileName, sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits') }),
  review: ReviewSchema.optional(),
});

export interface ReviewedPhoto extends LabelledImage {
  /** How prediction files name it: "reviewed/<day>/<image file>". */
  name: string;
  recordId: string;
  sha256: string;
  reviewedAt: string;
}

export interface SkippedRecord {
  sidecar: string;
  reason: string;
}

export interface ReviewedUploads {
  dir: string;
  reviewed: ReviewedPhoto[];
  /** Valid sidecars without a review: never used. */
  unreviewed: number;
  skipped: SkippedRecord[];
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readRecord(dayDir: string, day: string, sidecarFile: string): Promise<ReviewedPhoto | 'unreviewed' | SkippedRecord> {
  const sidecar = path.join(dayDir, sidecarFile);
  const skip = (reason: string): SkippedRecord => ({ sidecar, reason });
  let json: unknown;
  try {
    json = JSON.parse(await readFile(sidecar, 'utf8'));
  } catch (err) {
    return skip(err instanceof SyntaxError ? 'not JSON' : `unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const parsed = ReviewedSidecarSchema.safeParse(json);
  if (!parsed.success) return skip(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  const s = parsed.data;
  if (`${s.record_id}.json` !== sidecarFile) return skip(`record_id '${s.record_id}' does not match the sidecar's name`);
  if (!s.review) return 'unreviewed';
  if (path.parse(s.image.file).name !== s.record_id) return skip(`image.file '${s.image.file}' is not the record's image (${s.record_id}.<ext>)`);
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(dayDir, s.image.file));
  } catch (err) {
    return skip(`image ${s.image.file} unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const actual = sha256(bytes);
  if (actual !== s.image.sha256) return skip(`sha256 of ${s.image.file} is ${actual}, the sidecar says ${s.image.sha256}`);
  return {
    path: path.join(dayDir, s.image.file),
    label: s.review.label as Label,
    name: `reviewed/${day}/${s.image.file}`,
    recordId: s.record_id,
    sha256: actual,
    reviewedAt: s.review.reviewed_at,
  };
}

/**
 * Every record of DIR/<YYYY-MM-DD>/, sorted by day then record id so runs are reproducible. Files
 * that are not sidecars (images, temp files of an atomic write in progress) are left alone.
 */
export async function readReviewedUploads(dir: string): Promise<ReviewedUploads> {
  let days: string[];
  try {
    days = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory() && DAY.test(d.name)).map((d) => d.name).sort();
  } catch (err) {
    throw new Error(`--reviewed ${dir}: not a readable folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
  const out: ReviewedUploads = { dir, reviewed: [], unreviewed: 0, skipped: [] };
  for (const day of days) {
    const dayDir = path.join(dir, day);
    const sidecars = (await readdir(dayDir)).filter((f) => f.endsWith('.json')).sort();
    for (const f of sidecars) {
      const r = await readRecord(dayDir, day, f);
      if (r === 'unreviewed') out.unreviewed++;
      else if ('reason' in r) out.skipped.push(r);
      else out.reviewed.push(r);
    }
  }
  return out;
}
