import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Retained uploads as the gateway keeps them (apps/gateway/src/retention/upload-store.ts:
 * CUSTOMER_DATA_DIR/<YYYY-MM-DD>/<record_id>.<ext> + <record_id>.json) and the reviewed label a
 * clinician's POST /feedback adds to the sidecar, written here directly so the retraining tests do
 * not depend on the feedback route.
 */
export interface Review {
  label: 'cataract' | 'normal';
  note?: string;
  reviewer_key_id?: string | null;
  reviewed_at?: string;
}

export interface WrittenRecord {
  id: string;
  day: string;
  imagePath: string;
  sidecarPath: string;
}

const EXT = { jpeg: 'jpg', png: 'png', webp: 'webp' } as const;

export function writeRetainedRecord(dir: string, bytes: Buffer, opts: { format?: keyof typeof EXT; day?: string; review?: Review; stamp?: string } = {}): WrittenRecord {
  const day = opts.day ?? '2026-12-07';
  const id = `${opts.stamp ?? `${day.replace(/-/g, '')}T120000000Z`}-${randomUUID()}`;
  const format = opts.format ?? 'jpeg';
  const file = `${id}.${EXT[format]}`;
  mkdirSync(join(dir, day), { recursive: true });
  const imagePath = join(dir, day, file);
  const sidecarPath = join(dir, day, `${id}.json`);
  writeFileSync(imagePath, bytes);
  const at = `${day}T12:00:00.000Z`;
  writeFileSync(
    sidecarPath,
    JSON.stringify({
      schema_version: 1,
      record_id: id,
      request_id: randomUUID(),
      received_at: at,
      stored_at: at,
      endpoint: '/predict_lgbm',
      client_key_id: null,
      image: { file, format, width: 1, height: 1, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
      results: {},
      answer: { prediction: 'normal', confidence: 0.5, model_used: 'lgbm', model_version: 'test' },
    }),
  );
  if (opts.review) addReview(sidecarPath, opts.review);
  return { id, day, imagePath, sidecarPath };
}

/** Adds (or replaces) a sidecar's review, in the shape POST /feedback writes, atomically. */
export function addReview(sidecarPath: string, review: Review): void {
  const s = JSON.parse(readFileSync(sidecarPath, 'utf8'));
  s.review = { label: review.label, ...(review.note !== undefined && { note: review.note }), reviewer_key_id: review.reviewer_key_id ?? null, reviewed_at: review.reviewed_at ?? new Date().toISOString() };
  writeFileSync(`${sidecarPath}.tmp`, JSON.stringify(s, null, 2));
  renameSync(`${sidecarPath}.tmp`, sidecarPath);
}

/** Every sidecar under DIR, by request id (what a client's answer names). */
export function sidecarsByRequestId(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const day of readdirSync(dir)) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) continue;
    for (const f of readdirSync(join(dir, day)).filter((n) => n.endsWith('.json'))) {
      const p = join(dir, day, f);
      out.set((JSON.parse(readFileSync(p, 'utf8')) as { request_id: string }).request_id, p);
    }
  }
  return out;
}
