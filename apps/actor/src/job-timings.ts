import type { JobTimings } from '@cataract/contracts';

/** What a runtime measured for one input (see RuntimeOutcome): optional, runtimes may not split. */
export interface RuntimeTimings {
  /** Decode + resize + features/tensor of this input. */
  preprocessMs: number;
  /** The model run that answered this input (for a batch: the whole batch's run). */
  inferenceMs: number;
  /** Inputs in that model run. */
  batchSize: number;
}

const ms = (v: number) => Math.max(0, Number(v.toFixed(3)));

/**
 * The timings an actor publishes in a job's result (the gateway turns them into per-model
 * histograms). Queue wait uses BullMQ's own stamps: job.timestamp (set by the gateway when it
 * added the job) and job.processedOn (set by this actor when it took it), so across hosts it is
 * only as good as their clock sync (never reported below 0); processing is measured here.
 */
export function jobTimings(
  job: { timestamp?: number; processedOn?: number },
  startedAt: { epochMs: number; perfMs: number },
  endPerfMs: number,
  runtime: RuntimeTimings | undefined,
): JobTimings | undefined {
  // Without BullMQ's enqueue stamp there is no queue wait to report (and NaN would break the reply's schema).
  if (typeof job.timestamp !== 'number' || !Number.isFinite(job.timestamp)) return undefined;
  const taken = typeof job.processedOn === 'number' && Number.isFinite(job.processedOn) ? job.processedOn : startedAt.epochMs;
  return {
    queue_wait_ms: ms(taken - job.timestamp),
    processing_ms: ms(endPerfMs - startedAt.perfMs),
    ...(runtime && { preprocess_ms: ms(runtime.preprocessMs), inference_ms: ms(runtime.inferenceMs) }),
    batch_size: Math.max(1, runtime?.batchSize ?? 1),
  };
}
