import { JobTimings, MODEL_TYPES, ModelType } from '@cataract/contracts';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ShadowStatsSource, VersionMetrics } from './version-metrics';

/** What the scrape-time gauges read (from Redis): jobs per queue state, live actors per model. */
export interface ClusterStateSource {
  queueDepth(model: ModelType): Promise<{ waiting: number; active: number; delayed: number }>;
  liveActors(model: ModelType): Promise<number>;
}

export interface GatewayMetricsOptions {
  /** Queue depth and live actors, read on each scrape; without it those gauges stay empty. */
  state?: ClusterStateSource;
  /** Agreement counters of running shadow versions, read on each scrape. */
  shadow?: ShadowStatsSource;
  /** Node process metrics (CPU, memory, event loop lag) of this worker. */
  defaultMetrics?: boolean;
  /** Called when a scrape-time read fails (the gauge is then left out of that scrape, not stale). */
  onCollectError?: (err: Error) => void;
}

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64];

/**
 * The gateway's Prometheus metrics, in one registry per worker process. The cluster primary sums
 * the workers' registries on each scrape (prom-client's AggregatorRegistry, see cluster-metrics.ts);
 * gauges read from Redis use the `max` aggregator, since every worker reads the same values.
 * Job timings come from the actors inside each job's result (see @cataract/contracts JobTimings).
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly rejected: Counter<'reason' | 'status'>;
  readonly queueWait: Histogram<'model'>;
  readonly processing: Histogram<'model'>;
  readonly preprocess: Histogram<'model'>;
  readonly inference: Histogram<'model'>;
  readonly batchSize: Histogram<'model'>;
  readonly queueDepth: Gauge<'model' | 'state'>;
  readonly liveActors: Gauge<'model'>;
  /** Answers, errors, latency and shadow agreement by model version. */
  readonly versions: VersionMetrics;

  constructor(opts: GatewayMetricsOptions = {}) {
    const registers = [this.registry];
    const onError = (err: unknown) => opts.onCollectError?.(err instanceof Error ? err : new Error(String(err)));
    this.httpRequests = new Counter({
      name: 'cataract_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'cataract_http_request_duration_seconds',
      help: 'Time from receiving a request to finishing its response',
      labelNames: ['method', 'route', 'status'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.rejected = new Counter({
      name: 'cataract_rejected_requests_total',
      help: 'Requests answered with an error, by API error code (auth, rate limit, overload, bad upload, ...)',
      labelNames: ['reason', 'status'],
      registers,
    });
    const perModel = (name: string, help: string, buckets = SECONDS_BUCKETS) =>
      new Histogram({ name, help, labelNames: ['model'], buckets, registers });
    this.queueWait = perModel('cataract_queue_wait_seconds', 'Time a job waited in its queue before an actor took it (actor-reported)');
    this.processing = perModel('cataract_job_processing_seconds', 'Time an actor spent on a job: upload read, batching wait, preprocessing, inference');
    this.preprocess = perModel('cataract_preprocess_seconds', 'Decode and preprocessing time of one input at the actor');
    this.inference = perModel('cataract_inference_seconds', 'Model run time that answered a job (the whole batch for batched models)');
    this.batchSize = perModel('cataract_batch_size', 'Inputs in the model run that answered a job', BATCH_BUCKETS);
    // Every model's series exist from the start (at zero), so dashboards and rate() see them before traffic.
    for (const model of MODEL_TYPES) {
      for (const h of [this.queueWait, this.processing, this.preprocess, this.inference, this.batchSize]) h.zero({ model });
    }

    const state = opts.state;
    this.queueDepth = new Gauge({
      name: 'cataract_queue_depth',
      help: 'Jobs in each model queue by state, read from Redis at scrape time',
      labelNames: ['model', 'state'],
      aggregator: 'max',
      registers,
      collect: state
        ? async () => {
            this.queueDepth.reset();
            try {
              const depths = await Promise.all(MODEL_TYPES.map((m) => state.queueDepth(m)));
              MODEL_TYPES.forEach((model, i) => {
                for (const [s, n] of Object.entries(depths[i])) this.queueDepth.set({ model, state: s }, n);
              });
            } catch (err) {
              onError(err);
            }
          }
        : undefined,
    });
    this.liveActors = new Gauge({
      name: 'cataract_live_actors',
      help: 'Model actors with a fresh heartbeat, per model',
      labelNames: ['model'],
      aggregator: 'max',
      registers,
      collect: state
        ? async () => {
            this.liveActors.reset();
            try {
              const counts = await Promise.all(MODEL_TYPES.map((m) => state.liveActors(m)));
              MODEL_TYPES.forEach((model, i) => this.liveActors.set({ model }, counts[i]));
            } catch (err) {
              onError(err);
            }
          }
        : undefined,
    });
    this.versions = new VersionMetrics(this.registry, opts.shadow, onError);
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** One answered job of `model`, with the timings its actor reported (older actors report none). */
  observeJob(model: ModelType, timings: JobTimings | undefined): void {
    if (!timings) return;
    this.queueWait.observe({ model }, timings.queue_wait_ms / 1000);
    this.processing.observe({ model }, timings.processing_ms / 1000);
    if (timings.preprocess_ms !== undefined) this.preprocess.observe({ model }, timings.preprocess_ms / 1000);
    if (timings.inference_ms !== undefined) this.inference.observe({ model }, timings.inference_ms / 1000);
    this.batchSize.observe({ model }, timings.batch_size);
  }
}
