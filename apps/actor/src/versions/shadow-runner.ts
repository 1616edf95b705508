import { decide, Label, ModelType } from '@cataract/contracts';
import { recordShadow, recordShadowSkipped } from '@cataract/model-store';
import type { Logger } from '@cataract/service-kit';
import type { Redis } from '@cataract/service-kit';
import type { Lease } from './version-set';

/**
 * Runs the shadow version on a copy of a live request after its answer was sent, and counts whether
 * it agreed with that answer (model-store's shadow counters). At most maxInflight copies run at
 * once per actor; a request arriving while they are busy is counted as skipped instead, so shadow
 * work only takes a bounded share of the actor and never delays an answer.
 */
export class ShadowRunner {
  private inflight = 0;

  constructor(
    private readonly redis: Redis,
    private readonly type: ModelType,
    private readonly maxInflight: number,
    private readonly logger: Logger,
  ) {}

  copy(lease: Lease | undefined, input: Buffer, answered: Label): void {
    if (!lease) return;
    const { slot } = lease;
    if (this.inflight >= this.maxInflight) {
      lease.release();
      void recordShadowSkipped(this.redis, this.type, slot.version).catch(() => undefined);
      return;
    }
    this.inflight++;
    let held = true;
    const free = () => {
      if (!held) return;
      held = false;
      this.inflight--;
      lease.release();
    };
    slot.scheduler
      .submit(input)
      .then((outcome) => {
        // The slot is free as soon as the model answered: counting is a Redis write that must not
        // hold it (a shadow lgbm copy reuses the answer's features, so the write is most of its time).
        free();
        if (!outcome.ok) return; // a refused image was refused by the answer too
        const shadow = decide(outcome.probabilities.cataract, slot.manifest.threshold).prediction;
        void recordShadow(this.redis, this.type, slot.version, answered, shadow).catch((err: Error) =>
          this.logger.warn({ version: slot.version, err: err.message }, 'counting a shadow comparison failed'),
        );
      })
      .catch((err: Error) => {
        free();
        this.logger.warn({ version: slot.version, err: err.message }, 'shadow prediction failed');
      });
  }
}
