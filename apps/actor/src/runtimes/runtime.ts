import type { InputStatsRecord, ModelManifest, Probabilities } from '@cataract/contracts';
import type { RuntimeTimings } from '../job-timings';

/**
 * One input's outcome: a failed input (e.g. an undecodable image) never fails the rest of its batch.
 * A runtime may report how long the input's preprocessing and model run took (published in the
 * job result for the gateway's metrics) and the input statistics of the image it decoded (for the
 * gateway's drift monitoring).
 */
export type RuntimeOutcome =
  | { ok: true; probabilities: Probabilities; timings?: RuntimeTimings; inputStats?: InputStatsRecord }
  | { ok: false; error: Error };

/**
 * A model runtime, chosen by the manifest's `runtime` field. load() once at start; predict() takes
 * a batch of raw image bytes (encoded JPEG/PNG/WebP) and answers one outcome per input, in order.
 * Preprocessing lives inside the runtime because it is model-specific (features vs. tensors).
 */
export interface ModelRuntime {
  readonly kind: ModelManifest['runtime'];
  /** Largest batch predict() benefits from (1 = no batching gain). */
  readonly preferredBatchSize: number;
  load(): Promise<void>;
  predict(inputs: readonly Buffer[]): Promise<RuntimeOutcome[]>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Decompression-bomb limit passed to imaging. */
  maxPixels?: number;
  /** onnxruntime intra-op threads per inference (ORT_INTRA_OP_THREADS). */
  intraOpThreads?: number;
  /** Largest batch the scheduler sends (CLIP_MAX_BATCH); sizes the runtime's reusable tensor buffers. */
  maxBatch?: number;
}
