import { LABELS, ModelType, redisKeys } from '@cataract/contracts';
import type { Redis } from 'ioredis';

/**
 * How often a shadow version agreed with the answers the serving versions gave: overall and by
 * the label that was answered. Actors add to a Redis hash per shadow version (recordShadow);
 * `models list`, the admin API and /metrics read it.
 */
export interface LabelAgreement {
  compared: number;
  agreed: number;
  /** agreed / compared, null before any comparison. */
  agreement: number | null;
}

export interface ShadowStats extends LabelAgreement {
  version: string;
  /** Live requests not copied to the shadow because it was already busy (it only uses spare capacity). */
  skipped: number;
  by_label: Record<string, LabelAgreement>;
}

const ratio = (agreed: number, compared: number) => (compared > 0 ? agreed / compared : null);

/** Counts one comparison: `answered` is the label the client got, `shadow` the shadow version's. */
export function recordShadow(redis: Redis, type: ModelType, version: string, answered: string, shadow: string): Promise<unknown> {
  const key = redisKeys.shadowStats(type, version);
  const tx = redis.multi().hincrby(key, 'compared', 1).hincrby(key, `compared:${answered}`, 1);
  if (answered === shadow) tx.hincrby(key, 'agreed', 1).hincrby(key, `agreed:${answered}`, 1);
  return tx.exec();
}

export function recordShadowSkipped(redis: Redis, type: ModelType, version: string): Promise<unknown> {
  return redis.hincrby(redisKeys.shadowStats(type, version), 'skipped', 1);
}

export function resetShadowStats(redis: Redis, type: ModelType, version: string): Promise<unknown> {
  return redis.del(redisKeys.shadowStats(type, version));
}

export async function readShadowStats(redis: Redis, type: ModelType, version: string): Promise<ShadowStats> {
  const h = await redis.hgetall(redisKeys.shadowStats(type, version));
  const n = (field: string) => Number(h[field] ?? 0);
  const by_label = Object.fromEntries(
    LABELS.map((l) => [l, { compared: n(`compared:${l}`), agreed: n(`agreed:${l}`), agreement: ratio(n(`agreed:${l}`), n(`compared:${l}`)) }]),
  );
  return { version, compared: n('compared'), agreed: n('agreed'), agreement: ratio(n('agreed'), n('compared')), skipped: n('skipped'), by_label };
}
