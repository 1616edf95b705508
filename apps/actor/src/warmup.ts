import { mapLimit } from '@cataract/concurrency';
import { renderSampleEyePhotos } from '@cataract/imaging';
import type { Logger } from '@cataract/service-kit';
import { WarmupFailedError } from './errors';
import type { ModelRuntime } from './runtimes/runtime';

/**
 * Model warm-up: before an actor registers (and so before any request can reach it), it runs its
 * runtime on rendered eye photos. A just-started process runs its request path from unoptimised
 * code: on this 2-core machine the first predictions cost about 3x the steady cost, and that slow
 * start landed on the first clients' requests (docs/performance.md, "The first seconds after a start"). It
 * also proves the loaded model answers before the actor advertises itself: a model that cannot
 * predict fails the start instead of failing requests.
 */
export interface WarmupReport {
  runs: number;
  inputs: number;
  ms: number;
  /** Wall time of the first and of the last run, ms (how much the warm-up bought). */
  firstRunMs: number;
  lastRunMs: number;
}

export interface WarmupOptions {
  logger?: Logger;
  /**
   * Predictions in flight at once after the first, cold one: as many as the actor holds jobs,
   * so the memory a loaded actor uses (V8's young generation, sharp's buffers) is grown here too.
   */
  inFlight?: number;
}

/**
 * Runs `runs` predictions on the rendered photos: batches of one, and for a batching runtime also
 * of its preferred size (its two common shapes). Any failed input rejects with WarmupFailedError.
 */
export async function warmUp(runtime: ModelRuntime, runs: number, opts: WarmupOptions = {}): Promise<WarmupReport> {
  const started = performance.now();
  const report: WarmupReport = { runs, inputs: 0, ms: 0, firstRunMs: 0, lastRunMs: 0 };
  if (runs <= 0) return report;
  const photos = await samplePhotos();
  const batchSizes = runtime.preferredBatchSize > 1 ? [1, runtime.preferredBatchSize] : [1];
  const runOnce = async (run: number) => {
    const size = batchSizes[run % batchSizes.length];
    const inputs = Array.from({ length: size }, (_, i) => photos[(run + i) % photos.length]);
    const t0 = performance.now();
    const outcomes = await runtime.predict(inputs);
    const ms = performance.now() - t0;
    if (run === 0) report.firstRunMs = ms;
    report.lastRunMs = ms;
    report.inputs += inputs.length;
    outcomes.forEach((outcome, i) => {
      if (!outcome.ok) throw new WarmupFailedError(run, i, outcome.error);
      const total = Object.values(outcome.probabilities).reduce((a, p) => a + p, 0);
      if (!(Math.abs(total - 1) < 1e-6)) throw new WarmupFailedError(run, i, new Error(`probabilities sum to ${total}, not 1`));
    });
  };
  await runOnce(0);
  const rest = Array.from({ length: runs - 1 }, (_, k) => k + 1);
  await mapLimit(rest, Math.max(1, opts.inFlight ?? 1), runOnce);
  report.ms = performance.now() - started;
  opts.logger?.info(roundAll(report), 'model warmed up');
  return report;
}

/**
 * The rendered photos, made once per process: a version loaded while serving (a promotion) warms up
 * on the same photos, and rendering them again would queue behind the live requests' decodes in
 * sharp's thread pool (seconds on a loaded 2-core machine).
 */
let rendered: Promise<Buffer[]> | undefined;
function samplePhotos(): Promise<Buffer[]> {
  rendered ??= renderSampleEyePhotos().catch((err: unknown) => {
    rendered = undefined;
    throw err;
  });
  return rendered;
}

function roundAll(r: WarmupReport): WarmupReport {
  return { runs: r.runs, inputs: r.inputs, ms: Math.round(r.ms), firstRunMs: +r.firstRunMs.toFixed(1), lastRunMs: +r.lastRunMs.toFixed(1) };
}
