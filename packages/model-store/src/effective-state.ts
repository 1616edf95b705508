import type { ModelState, ModelType } from '@cataract/contracts';
import { ModelStoreError } from './errors';
import { defaultVersion } from './layout';
import type { StateBody } from './state-store';

/** What serves a type right now: the Redis state when there is one, else the store's default. */
export interface EffectiveState extends StateBody {
  source: 'redis' | 'default';
  /** Revision the state was read at (-1: none stored). */
  revision: number;
}

export function effectiveState(modelsDir: string, type: ModelType, stored: ModelState | undefined): EffectiveState {
  if (stored) {
    const { revision, updated_at: _updated, ...body } = stored;
    return { ...body, source: 'redis', revision };
  }
  const serving = defaultVersion(modelsDir, type);
  if (!serving) throw new ModelStoreError('unknown_version', `${type} has no model in ${modelsDir} (no ${type}/default and no ${type}/manifest.json)`);
  return { serving, source: 'default', revision: -1 };
}

/** The versions a state keeps loaded on every actor of its type. */
export function versionsInUse(state: Pick<StateBody, 'serving' | 'canary' | 'shadow'>): string[] {
  return [...new Set([state.serving, state.canary?.version, state.shadow?.version].filter((v): v is string => v !== undefined))];
}
