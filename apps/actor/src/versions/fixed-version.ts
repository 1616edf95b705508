import type { ModelManifest } from '@cataract/contracts';
import type { VersionChooser } from '../job-processor';
import type { InferenceScheduler } from '../scheduling';
import type { VersionSlot } from './version-slot';

/** A chooser that always answers with one version (for a processor outside an actor: tests, tools). */
export function fixedVersion(scheduler: InferenceScheduler, manifest: Pick<ModelManifest, 'version' | 'threshold'>): VersionChooser {
  const slot = { version: manifest.version, manifest, scheduler, inflight: 0 } as unknown as VersionSlot;
  return {
    acquire: () => ({ slot, release: () => undefined }),
    acquireShadow: () => undefined,
  };
}
