import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { mapLimit } from '@cataract/concurrency';
import { KEY_NAMESPACE } from '@cataract/contracts';
import type { Redis } from '@cataract/service-kit';
import type { Logger } from '../logger';
import { TEMP_PREFIX } from './atomic-write';

/** Redis key naming a retained upload's sidecar by its request id (value: `<day>/<record id>.json` under CUSTOMER_DATA_DIR). */
export const retainedRecordKey = (requestId: string) => `${KEY_NAMESPACE}:retained:${requestId}`;
/** Set for RESCAN_EVERY_MS after a full directory scan re-indexed every record. */
export const RESCAN_MARK_KEY = `${KEY_NAMESPACE}:retained-rescanned`;

const DAY_MS = 24 * 60 * 60 * 1000;
const DAY_DIR = /^\d{4}-\d{2}-\d{2}$/;
const RELATIVE_SIDECAR = /^\d{4}-\d{2}-\d{2}\/[A-Za-z0-9-]{1,100}\.json$/;

export interface RecordIndexOptions {
  /** CUSTOMER_DATA_MAX_DAYS: entries expire a day after their record is pruned (0: never). */
  maxDays: number;
  /** A miss scans the directory at most this often, cluster-wide (default 5 minutes). */
  rescanEveryMs?: number;
  logger?: Logger;
}

/**
 * Where the retained upload of a request id is, for every gateway worker and every gateway sharing
 * CUSTOMER_DATA_DIR and Redis: keep() writes `request id -> <day>/<record>.json` into Redis as it
 * keeps a record, with an expiry that follows CUSTOMER_DATA_MAX_DAYS. A lookup that misses (an
 * index entry lost with Redis' data, a record kept before the index existed) scans the directory
 * once and re-indexes everything it finds; so that unknown ids cannot make every request a full
 * scan, that scan runs at most once per `rescanEveryMs` across the cluster (a mark in Redis), and
 * once per worker at a time. A client-chosen X-Request-Id used twice names the newer record.
 */
export class RecordIndex {
  private scanning: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    readonly dir: string,
    private readonly opts: RecordIndexOptions,
  ) {}

  /** Called once a record is on disk. */
  async put(requestId: string, sidecarPath: string): Promise<void> {
    const rel = relative(this.dir, sidecarPath).split(sep).join('/');
    if (!RELATIVE_SIDECAR.test(rel)) throw new Error(`not a sidecar under ${this.dir}: ${sidecarPath}`);
    const ttl = this.ttlMs();
    await (ttl === undefined ? this.redis.set(retainedRecordKey(requestId), rel) : this.redis.set(retainedRecordKey(requestId), rel, 'PX', ttl));
  }

  /** The sidecar's absolute path, or undefined when no record of this request exists (any more). */
  async locate(requestId: string): Promise<string | undefined> {
    const hit = await this.lookup(requestId);
    if (hit !== undefined) return hit;
    if (await this.redis.exists(RESCAN_MARK_KEY)) return undefined;
    this.scanning ??= this.rescan().finally(() => {
      this.scanning = undefined;
    });
    await this.scanning;
    return this.lookup(requestId);
  }

  /** Drop an entry whose record turned out to be gone. */
  async forget(requestId: string): Promise<void> {
    await this.redis.del(retainedRecordKey(requestId));
  }

  private async lookup(requestId: string): Promise<string | undefined> {
    const rel = await this.redis.get(retainedRecordKey(requestId));
    if (rel === null || !RELATIVE_SIDECAR.test(rel)) return undefined;
    const path = join(this.dir, ...rel.split('/'));
    if (await stat(path).then(() => true, () => false)) return path;
    await this.forget(requestId); // pruned
    return undefined;
  }

  /** Re-index every sidecar, newest day and record first; an entry already present (a newer record) wins. */
  private async rescan(): Promise<void> {
    const started = Date.now();
    const days = (await readdir(this.dir).catch(() => [] as string[])).filter((d) => DAY_DIR.test(d)).sort().reverse();
    const ttl = this.ttlMs();
    let indexed = 0;
    for (const day of days) {
      const files = (await readdir(join(this.dir, day)).catch(() => [] as string[]))
        .filter((f) => f.endsWith('.json') && !f.startsWith(TEMP_PREFIX))
        .sort()
        .reverse();
      const ids = await mapLimit(files, 8, async (f) => {
        try {
          const parsed = JSON.parse(await readFile(join(this.dir, day, f), 'utf8')) as { request_id?: unknown };
          return typeof parsed.request_id === 'string' ? parsed.request_id : undefined;
        } catch {
          return undefined; // vanished (pruned) or not ours
        }
      });
      const batch = this.redis.pipeline();
      files.forEach((f, i) => {
        const id = ids[i];
        if (id === undefined) return;
        const key = retainedRecordKey(id);
        if (ttl === undefined) batch.set(key, `${day}/${f}`, 'NX');
        else batch.set(key, `${day}/${f}`, 'PX', ttl, 'NX');
        indexed++;
      });
      await batch.exec();
    }
    await this.redis.set(RESCAN_MARK_KEY, String(Date.now()), 'PX', this.opts.rescanEveryMs ?? 5 * 60_000);
    this.opts.logger?.info({ indexed, days: days.length, ms: Date.now() - started }, 'retained uploads re-indexed from CUSTOMER_DATA_DIR');
  }

  private ttlMs(): number | undefined {
    return this.opts.maxDays > 0 ? (this.opts.maxDays + 1) * DAY_MS : undefined;
  }
}
