import { calibrate, type Calibration } from '@cataract/contracts';
import type { ModelRuntime, RuntimeOutcome } from './runtime';

/**
 * Applies a manifest's `calibration` to every answer of the runtime it wraps, so `confidence` and
 * `probabilities` are calibrated frequencies and the manifest's threshold applies to them (the
 * trainers fit the calibration on out-of-fold predictions and choose the threshold on that scale).
 */
export class CalibratedRuntime implements ModelRuntime {
  readonly kind: ModelRuntime['kind'];
  readonly preferredBatchSize: number;

  constructor(
    private readonly inner: ModelRuntime,
    private readonly calibration: Calibration,
  ) {
    this.kind = inner.kind;
    this.preferredBatchSize = inner.preferredBatchSize;
  }

  load(): Promise<void> {
    return this.inner.load();
  }

  async predict(inputs: readonly Buffer[]): Promise<RuntimeOutcome[]> {
    const outcomes = await this.inner.predict(inputs);
    return outcomes.map((o) => {
      if (!o.ok) return o;
      const cataract = calibrate(o.probabilities.cataract, this.calibration);
      return { ...o, probabilities: { cataract, normal: 1 - cataract } };
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
