import type { ModelType, PredictJobResult } from '@cataract/contracts';
import type { ShadowStats } from '@cataract/model-store';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The shadow comparisons running now, read from Redis at scrape time. */
export type ShadowStatsSource = () => Promise<Array<{ model: ModelType; stats: ShadowStats }>>;

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Metrics split by model version, for watching a promotion or a canary: answers by predicted label
 * (the positive rate is cataract / all), refused images by code, and the job latency the actor
 * reported (queue wait + processing); and, for a shadow version, how many live requests it was
 * compared on and how many it agreed with, by the label that was answered.
 */
export class VersionMetrics {
  readonly answers: Counter<'model' | 'version' | 'prediction'>;
  readonly errors: Counter<'model' | 'version' | 'code'>;
  readonly latency: Histogram<'model' | 'version'>;
  readonly shadowCompared: Gauge<'model' | 'version' | 'label'>;
  readonly shadowAgreed: Gauge<'model' | 'version' | 'label'>;

  constructor(registry: Registry, shadow?: ShadowStatsSource, onError: (err: Error) => void = () => undefined) {
    const registers = [registry];
    this.answers = new Counter({
      name: 'cataract_version_answers_total',
      help: 'Answered jobs by model version and predicted label (positive rate: prediction="cataract" over all)',
      labelNames: ['model', 'version', 'prediction'],
      registers,
    });
    this.errors = new Counter({
      name: 'cataract_version_errors_total',
      help: 'Jobs a model version refused (the image could not be read), by error code',
      labelNames: ['model', 'version', 'code'],
      registers,
    });
    this.latency = new Histogram({
      name: 'cataract_version_job_seconds',
      help: 'Queue wait + processing of an answered job, by model version (actor-reported)',
      labelNames: ['model', 'version'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    const collect = async () => {
      this.shadowCompared.reset();
      this.shadowAgreed.reset();
      if (!shadow) return;
      try {
        for (const { model, stats } of await shadow()) {
          this.shadowCompared.set({ model, version: stats.version, label: 'all' }, stats.compared);
          this.shadowAgreed.set({ model, version: stats.version, label: 'all' }, stats.agreed);
          for (const [label, s] of Object.entries(stats.by_label)) {
            this.shadowCompared.set({ model, version: stats.version, label }, s.compared);
            this.shadowAgreed.set({ model, version: stats.version, label }, s.agreed);
          }
        }
      } catch (err) {
        onError(err instanceof Error ? err : new Error(String(err)));
      }
    };
    this.shadowCompared = new Gauge({
      name: 'cataract_shadow_compared',
      help: 'Live requests a shadow version also ran on, by the label answered ("all": every label); read from Redis',
      labelNames: ['model', 'version', 'label'],
      aggregator: 'max',
      registers,
      collect,
    });
    this.shadowAgreed = new Gauge({
      name: 'cataract_shadow_agreed',
      help: 'Of those, how many the shadow version answered with the same label',
      labelNames: ['model', 'version', 'label'],
      aggregator: 'max',
      registers,
    });
  }

  observe(model: ModelType, result: PredictJobResult): void {
    const version = result.model_version ?? 'unknown';
    if (result.status === 'rejected') {
      this.errors.inc({ model, version, code: result.error.code });
      return;
    }
    this.answers.inc({ model, version, prediction: result.prediction });
    if (result.timings) this.latency.observe({ model, version }, (result.timings.queue_wait_ms + result.timings.processing_ms) / 1000);
  }
}
