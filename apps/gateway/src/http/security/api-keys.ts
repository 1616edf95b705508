import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Public identifier of a key: the first 8 hex digits of its SHA-256 (safe to log, store and count by). */
export function keyId(key: string): string {
  return digest(key).toString('hex').slice(0, 8);
}

/** API_KEYS / ADMIN_KEYS as given: comma-separated, blanks and duplicates ignored. */
export function parseApiKeys(value: string | undefined): string[] {
  return [...new Set((value ?? '').split(',').map((k) => k.trim()).filter((k) => k.length > 0))];
}

/**
 * The configured keys, held only as SHA-256 digests. A presented key is hashed and compared with
 * every digest in constant time (timingSafeEqual on equal-length digests, no early exit), so
 * neither a key's content nor its position in the list shows in response times.
 */
export class ApiKeyRing {
  private readonly entries: ReadonlyArray<{ id: string; digest: Buffer }>;

  constructor(keys: readonly string[]) {
    this.entries = keys.map((k) => ({ id: keyId(k), digest: digest(k) }));
  }

  /** Auth is on when at least one key is configured. */
  get enabled(): boolean {
    return this.entries.length > 0;
  }

  get size(): number {
    return this.entries.length;
  }

  /** The id of the matching key, or undefined. */
  identify(presented: string): string | undefined {
    const d = digest(presented);
    let match: string | undefined;
    for (const e of this.entries) {
      if (timingSafeEqual(d, e.digest) && match === undefined) match = e.id;
    }
    return match;
  }
}

/** The key a request presents: `X-API-Key: <key>` or `Authorization: Bearer <key>`. */
export function presentedKey(req: Request): string | undefined {
  const header = req.headers['x-api-key'];
  const x = Array.isArray(header) ? header[0] : header;
  if (x !== undefined && x.trim() !== '') return x.trim();
  const auth = req.headers.authorization;
  const m = auth ? /^Bearer[ \t]+(\S.*)$/i.exec(auth) : null;
  return m ? m[1].trim() : undefined;
}
