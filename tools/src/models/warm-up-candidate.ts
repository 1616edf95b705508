import { createRuntime, warmUp } from '@cataract/actor';
import { ModelStoreError, VerifiedVersion } from '@cataract/model-store';

/** Warm-up predictions `validate` runs: the actor's own runtime and warm-up, on rendered eye photos. */
export const VALIDATE_WARMUP_RUNS = 8;

/**
 * Loads a checked candidate with the actor's runtime and runs its warm-up predictions (every answer
 * must be a probability pair summing to 1), as an actor would before it may serve the version.
 */
export async function warmUpCandidate(v: VerifiedVersion): Promise<{ runs: number; inputs: number; ms: number }> {
  const runtime = createRuntime({ manifest: v.manifest, dir: v.location.dir, modelPath: v.modelPath, bytes: v.bytes });
  try {
    await runtime.load();
    const report = await warmUp(runtime, VALIDATE_WARMUP_RUNS);
    return { runs: report.runs, inputs: report.inputs, ms: Math.round(report.ms) };
  } catch (err) {
    throw new ModelStoreError('warmup_failed', `${v.location.dir}: the model does not answer: ${(err as Error).message}`, { cause: err });
  } finally {
    await runtime.close().catch(() => undefined);
  }
}
