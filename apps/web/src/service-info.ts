/** The footer line naming the models this server runs and their versions (from `GET /` as JSON). */
import { modelLabel } from './models';

/**
 * Accepts `models` as `{ lgbm: { version, served } }`, `{ lgbm: "1.2" }` or `[{ name, version }]`;
 * a model marked `served: false` is named as not served rather than left out.
 */
export function describeModels(info: unknown): string | undefined {
  const models = (info as { models?: unknown } | undefined)?.models;
  const parts: string[] = [];
  const add = (name: string, m: unknown): void => {
    const version = typeof m === 'string' ? m : versionOf(m);
    const served = (m as { served?: unknown } | null)?.served !== false;
    parts.push([modelLabel(name), version, served ? undefined : '(not served)'].filter(Boolean).join(' '));
  };
  if (Array.isArray(models)) {
    for (const m of models) {
      const name = (m as { name?: unknown } | null)?.name ?? (m as { type?: unknown } | null)?.type;
      if (typeof name === 'string') add(name, m);
    }
  } else if (typeof models === 'object' && models !== null) {
    for (const [name, m] of Object.entries(models)) add(name, m);
  }
  if (parts.length === 0) return undefined;
  return `Models on this service: ${parts.join(' · ')}.`;
}

function versionOf(m: unknown): string | undefined {
  const v = (m as { version?: unknown; model_version?: unknown } | null)?.version ?? (m as { model_version?: unknown } | null)?.model_version;
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}
