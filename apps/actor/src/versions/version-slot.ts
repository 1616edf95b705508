import type { ModelManifest } from '@cataract/contracts';
import type { ActorConfig } from '../config';
import type { Logger } from '@cataract/service-kit';
import { loadModelFiles } from '../manifest';
import { FaultDelayRuntime } from '../runtimes/fault-delay-runtime';
import { createRuntime } from '../runtimes/registry';
import type { ModelRuntime } from '../runtimes/runtime';
import { createScheduler, InferenceScheduler } from '../scheduling';
import { warmUp } from '../warmup';

/** One loaded model version: its manifest, runtime and scheduler, and the jobs running on it. */
export interface VersionSlot {
  readonly version: string;
  readonly manifest: ModelManifest;
  readonly runtime: ModelRuntime;
  readonly scheduler: InferenceScheduler;
  /** Jobs (and shadow copies) that started on this version and have not finished. */
  inflight: number;
}

/** Loads a version of the store, checked (model-store) and warmed, ready to answer. */
export type SlotLoader = (version: string, warmupRuns: number) => Promise<VersionSlot>;

/**
 * The slot loader of an actor process: same runtime options as at start, the test-only delay
 * wrapped around the runtime but not warmed through. A model that fails its warm-up predictions
 * is closed and refused, so it never answers.
 */
export function slotLoader(config: ActorConfig, logger: Logger): SlotLoader {
  return async (version, warmupRuns) => {
    const files = await loadModelFiles(config.modelsDir, config.model, version);
    const model = createRuntime(files, { maxPixels: config.maxImagePixels, maxBatch: config.batching.maxBatch, intraOpThreads: config.intraOpThreads });
    const runtime = config.faultDelayMs > 0 ? new FaultDelayRuntime(model, config.faultDelayMs) : model;
    try {
      await runtime.load();
      await warmUp(model, warmupRuns, { logger, inFlight: Math.max(1, Math.floor(config.concurrency / runtime.preferredBatchSize)) });
    } catch (err) {
      await runtime.close().catch(() => undefined);
      throw err;
    }
    logger.info({ version, runtime: runtime.kind, batch: runtime.preferredBatchSize }, 'model version loaded');
    return { version, manifest: files.manifest, runtime, scheduler: createScheduler(runtime, config.batching), inflight: 0 };
  };
}

/** Frees a slot: its scheduler finishes what it holds, then the runtime lets go of the model. */
export async function closeSlot(slot: VersionSlot): Promise<void> {
  await slot.scheduler.close();
  await slot.runtime.close();
}
