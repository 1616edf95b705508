import type { InputStatsRecord } from '@cataract/contracts';

/**
 * The input statistics of an image a runtime decoded, or undefined when measuring them failed:
 * they only feed drift monitoring, so they must never cost an answer (or, in a batch, its
 * neighbours' answers).
 */
export function measured(measure: () => InputStatsRecord): InputStatsRecord | undefined {
  try {
    const stats = measure();
    return Object.values(stats).every(Number.isFinite) ? stats : undefined;
  } catch {
    return undefined;
  }
}
