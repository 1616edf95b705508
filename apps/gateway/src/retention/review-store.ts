import { randomUUID } from 'node:crypto';
import { readFile, stat, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { KEY_NAMESPACE, type Label, type Review, type ReviewEntry } from '@cataract/contracts';
import type { Redis } from '@cataract/service-kit';
import { redisCall, ReviewConflictError, ServiceUnavailableError, UnknownRequestError } from '../errors';
import { syncDir, writeFileAtomic } from './atomic-write';
import type { RecordIndex } from './record-index';
import type { RetentionSidecar } from './upload-store';

/** A sidecar as it is after a review was written into it. */
export type ReviewedSidecar = RetentionSidecar & { review: Review };

export interface ReviewInput {
  label: Label;
  note?: string;
  replace?: boolean;
  /** The reviewer's key id (never the key); null without API_KEYS. */
  reviewerKeyId: string | null;
}

export interface ReviewOutcome {
  sidecar: ReviewedSidecar;
  /** False: the record already had this label and nothing was written. */
  changed: boolean;
}

export interface ReviewStoreOptions {
  /** How long a lock is held at most if its holder dies (default 30 s; a review takes milliseconds). */
  lockTtlMs?: number;
  /** How long a review waits for another one of the same record (default 5 s). */
  lockWaitMs?: number;
  now?: () => Date;
}

/** Redis lock of one record while a review is read, decided and written. */
export const reviewLockKey = (recordId: string) => `${KEY_NAMESPACE}:retained-lock:${recordId}`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Writes reviewed labels into retained uploads' sidecars (the `review` field). Every review of a
 * record runs under a lock in Redis, so reviews sent at once to different workers or gateways
 * sharing CUSTOMER_DATA_DIR are applied one after the other and none is lost (each reads the
 * sidecar the previous one wrote). The sidecar is replaced atomically (temp file, fsync, rename,
 * directory fsync) and keeps its modification time: the pruner ages records by it, and a review
 * must not extend how long a patient's photo is kept.
 */
export class ReviewStore {
  constructor(
    private readonly redis: Redis,
    private readonly index: Pick<RecordIndex, 'locate' | 'forget'>,
    private readonly opts: ReviewStoreOptions = {},
  ) {}

  async review(requestId: string, input: ReviewInput): Promise<ReviewOutcome> {
    const path = await redisCall(() => this.index.locate(requestId));
    if (path === undefined) throw new UnknownRequestError(requestId);
    const release = await this.lock(basename(path, '.json'));
    try {
      return await this.applyUnderLock(path, requestId, input);
    } finally {
      await release();
    }
  }

  private async applyUnderLock(path: string, requestId: string, input: ReviewInput): Promise<ReviewOutcome> {
    let text: string;
    let mtime: Date;
    try {
      [text, mtime] = await Promise.all([readFile(path, 'utf8'), stat(path).then((s) => s.mtime)]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await this.index.forget(requestId).catch(() => undefined);
      throw new UnknownRequestError(requestId); // pruned since it was located
    }
    const sidecar = JSON.parse(text) as RetentionSidecar;
    const imageThere = await stat(join(dirname(path), sidecar.image.file)).then(() => true, () => false);
    if (sidecar.request_id !== requestId || !imageThere) throw new UnknownRequestError(requestId);

    const current = sidecar.review;
    const entry: ReviewEntry = {
      label: input.label,
      ...(input.note !== undefined && { note: input.note }),
      reviewer_key_id: input.reviewerKeyId,
      reviewed_at: (this.opts.now ?? (() => new Date()))().toISOString(),
    };
    if (current) {
      const same = current.label === input.label;
      if (!same && !input.replace) throw new ReviewConflictError(requestId, current.label);
      // The same label again is idempotent; with "replace" a new note is still a change.
      if (same && (!input.replace || current.note === input.note)) return { sidecar: { ...sidecar, review: current }, changed: false };
    }
    let review: Review = entry;
    if (current) {
      const { previous, ...replaced } = current;
      review = { ...entry, previous: [...(previous ?? []), replaced] };
    }
    const updated: ReviewedSidecar = { ...sidecar, review };
    await writeFileAtomic(path, `${JSON.stringify(updated, null, 2)}\n`);
    await utimes(path, new Date(), mtime);
    await syncDir(dirname(path));
    return { sidecar: updated, changed: true };
  }

  /** Waits (polling) for the record's lock; resolves with its release. */
  private async lock(recordId: string): Promise<() => Promise<void>> {
    const key = reviewLockKey(recordId);
    const token = randomUUID();
    const giveUpAt = Date.now() + (this.opts.lockWaitMs ?? 5000);
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      const got = await redisCall(() => this.redis.set(key, token, 'PX', this.opts.lockTtlMs ?? 30_000, 'NX'));
      if (got === 'OK') break;
      if (Date.now() >= giveUpAt) throw new ServiceUnavailableError('storage_unavailable', 'another review of this record is still being written; retry shortly', 1);
      await new Promise((r) => setTimeout(r, wait));
    }
    return async () => {
      await this.redis.eval(RELEASE, 1, key, token).catch(() => undefined); // else it expires
    };
  }

}
