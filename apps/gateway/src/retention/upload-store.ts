import { createHash, randomUUID } from 'node:crypto';
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ErrorDetail, Label, Probabilities, Review } from '@cataract/contracts';
import { syncDir, writeFileAtomic } from './atomic-write';

/** One model's answer as kept (or, for an ensemble member, why it had none). */
export type RetainedResult =
  | { prediction: Label; confidence: number; probabilities: Probabilities; model_version: string; actor_id: string }
  | { error: ErrorDetail };

export interface UploadToKeep {
  requestId: string;
  /** When the gateway received the request. */
  receivedAt: Date;
  /** The route that answered, e.g. "/predict_lgbm". */
  endpoint: string;
  /** Id of the client's API key (never the key), null when auth is off. */
  keyId: string | null;
  bytes: Buffer;
  format: 'jpeg' | 'png' | 'webp';
  width: number;
  height: number;
  /** Each asked model's own answer, by model type. */
  results: Record<string, RetainedResult>;
  /** What the client was told. */
  answer: { prediction: Label; confidence: number; model_used: string; model_version: string };
}

/** The JSON sidecar beside each kept image. */
export interface RetentionSidecar {
  schema_version: 1;
  record_id: string;
  request_id: string;
  received_at: string;
  stored_at: string;
  endpoint: string;
  client_key_id: string | null;
  image: { file: string; format: string; width: number; height: number; bytes: number; sha256: string };
  results: Record<string, RetainedResult>;
  answer: UploadToKeep['answer'];
  /** A clinician's reviewed label (POST /feedback, retention/review-store.ts); absent until reviewed. */
  review?: Review;
}

export interface KeptRecord {
  id: string;
  imagePath: string;
  sidecarPath: string;
}

const EXT = { jpeg: 'jpg', png: 'png', webp: 'webp' } as const;

/** YYYY-MM-DD (UTC): records are grouped per day so retention can drop whole days. */
export const dayDir = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Retained uploads (SAVE_UPLOADS=true) under CUSTOMER_DATA_DIR/<YYYY-MM-DD>/: the image exactly as
 * received, `<id>.<ext>`, and its sidecar `<id>.json` (request id, times, endpoint, each model's
 * answer and version, the client's key id; never the key, the client's address or the original
 * file name, which may name the patient). Both are written atomically and the sidecar last, so a
 * record is complete once its sidecar exists; keep() resolves only after both are durable, and the
 * caller answers the client only then. Record ids are generated here: a client-chosen request id
 * can never overwrite another record.
 */
export class UploadStore {
  constructor(
    readonly dir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async keep(u: UploadToKeep): Promise<KeptRecord> {
    const stored = this.now();
    const id = `${stored.toISOString().replace(/[-:.]/g, '')}-${randomUUID()}`;
    const dir = join(this.dir, dayDir(stored));
    await mkdir(dir, { recursive: true, mode: 0o750 });
    const imageFile = `${id}.${EXT[u.format]}`;
    const imagePath = join(dir, imageFile);
    const sidecarPath = join(dir, `${id}.json`);
    const sidecar: RetentionSidecar = {
      schema_version: 1,
      record_id: id,
      request_id: u.requestId,
      received_at: u.receivedAt.toISOString(),
      stored_at: stored.toISOString(),
      endpoint: u.endpoint,
      client_key_id: u.keyId,
      image: {
        file: imageFile,
        format: u.format,
        width: u.width,
        height: u.height,
        bytes: u.bytes.length,
        sha256: createHash('sha256').update(u.bytes).digest('hex'),
      },
      results: u.results,
      answer: { prediction: u.answer.prediction, confidence: u.answer.confidence, model_used: u.answer.model_used, model_version: u.answer.model_version },
    };
    try {
      await writeFileAtomic(imagePath, u.bytes);
      await writeFileAtomic(sidecarPath, `${JSON.stringify(sidecar, null, 2)}\n`);
      await syncDir(dir);
    } catch (err) {
      // The client will not be answered about this upload: leave no record of it either.
      await Promise.all([unlink(sidecarPath), unlink(imagePath)].map((p) => p.catch(() => undefined)));
      throw err;
    }
    return { id, imagePath, sidecarPath };
  }
}
