import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MODEL_TYPES, ModelType } from '@cataract/contracts';
import type { Redis } from 'ioredis';
import { liveActors } from './actors-view';
import { effectiveState } from './effective-state';
import { defaultVersion, listVersions, locateVersion, MANIFEST_FILE } from './layout';
import { readShadowStats, ShadowStats } from './shadow-stats';
import { ModelStateStore } from './state-store';

export interface VersionEntry {
  version: string;
  created?: string;
  runtime?: string;
  /** Roles of this version in the current state: serving, previous, canary, shadow, default. */
  roles: string[];
}

export interface ActorEntry {
  id: string;
  host: string;
  serving?: string;
  loaded: string[];
  failed?: Record<string, string>;
}

export interface TypeListing {
  type: ModelType;
  default?: string;
  /** Where the serving version comes from: the Redis state, or the store's default. */
  source: 'redis' | 'default';
  serving: string;
  previous?: string;
  canary?: { version: string; percent: number };
  shadow?: ShadowStats;
  versions: VersionEntry[];
  actors: ActorEntry[];
}

async function manifestSummary(dir: string): Promise<{ created?: string; runtime?: string }> {
  try {
    const m = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as { created?: string; runtime?: string };
    return { created: m.created, runtime: m.runtime };
  } catch {
    return {};
  }
}

/** Everything `models list` shows about one type (a type without any model is left out). */
export async function listType(redis: Redis, modelsDir: string, type: ModelType): Promise<TypeListing | undefined> {
  const def = defaultVersion(modelsDir, type);
  const stored = await new ModelStateStore(redis).read(type);
  if (!def && !stored) return undefined;
  const eff = effectiveState(modelsDir, type, stored);
  const roles = (v: string) =>
    [
      eff.serving === v && 'serving',
      eff.previous === v && 'previous',
      eff.canary?.version === v && `canary ${eff.canary.percent}%`,
      eff.shadow?.version === v && 'shadow',
      def === v && 'default',
    ].filter((r): r is string => typeof r === 'string');
  const versions = await Promise.all(
    listVersions(modelsDir, type).map(async (version) => ({ version, ...(await manifestSummary(locateVersion(modelsDir, type, version).dir)), roles: roles(version) })),
  );
  const actors = (await liveActors(redis, type)).map((a) => ({
    id: a.id,
    host: a.host,
    serving: a.versions?.serving ?? a.model_version,
    loaded: a.versions?.loaded ?? [a.model_version],
    ...(a.versions?.failed && Object.keys(a.versions.failed).length > 0 && { failed: a.versions.failed }),
  }));
  return {
    type,
    default: def,
    source: eff.source,
    serving: eff.serving,
    previous: eff.previous,
    canary: eff.canary,
    shadow: eff.shadow ? await readShadowStats(redis, type, eff.shadow.version) : undefined,
    versions,
    actors,
  };
}

export async function listAll(redis: Redis, modelsDir: string): Promise<TypeListing[]> {
  const all = await Promise.all(MODEL_TYPES.map((t) => listType(redis, modelsDir, t)));
  return all.filter((t): t is TypeListing => t !== undefined);
}
