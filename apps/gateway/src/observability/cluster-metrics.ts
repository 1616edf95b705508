import cluster, { Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, Registry } from 'prom-client';

/**
 * GET /metrics over node:cluster. Each worker keeps its own registry; any worker may receive the
 * scrape (the primary owns no socket), so that worker asks the primary over IPC, the primary runs
 * prom-client's AggregatorRegistry.clusterMetrics() (which asks every worker for its registry and
 * merges them: counters and histograms summed, `max` gauges maxed) and sends the text back.
 * Outside a cluster (tests, a single process) the worker's own registry is the answer.
 */
const REQUEST = 'cataract:metrics:request';
const RESPONSE = 'cataract:metrics:response';

interface MetricsRequest {
  type: typeof REQUEST;
  id: string;
}
interface MetricsResponse {
  type: typeof RESPONSE;
  id: string;
  text?: string;
  error?: string;
}

const isRequest = (m: unknown): m is MetricsRequest => typeof m === 'object' && m !== null && (m as MetricsRequest).type === REQUEST;
const isResponse = (m: unknown): m is MetricsResponse => typeof m === 'object' && m !== null && (m as MetricsResponse).type === RESPONSE;

/** Primary: answer workers' scrape requests with the whole cluster's metrics. Call once. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isRequest(message)) return;
    aggregator.clusterMetrics().then(
      (text) => reply(worker, { type: RESPONSE, id: message.id, text }),
      (err: Error) => reply(worker, { type: RESPONSE, id: message.id, error: err.message }),
    );
  });
}

function reply(worker: Worker, message: MetricsResponse): void {
  if (worker.isConnected()) worker.send(message);
}

/** Worker: have prom-client answer the primary's collection requests with this registry. Call once. */
export function shareWithCluster(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  if (cluster.isWorker) new AggregatorRegistry(); // installs the worker-side IPC listener
}

export class ClusterMetricsUnavailableError extends Error {
  constructor(reason: string) {
    super(`cluster metrics unavailable: ${reason}`);
    this.name = 'ClusterMetricsUnavailableError';
  }
}

/** The Prometheus text for a scrape: the whole cluster's in a worker, else this process's own. */
export async function scrapeText(registry: Registry, timeoutMs = 6000): Promise<string> {
  if (!cluster.isWorker || typeof process.send !== 'function') return registry.metrics();
  const id = randomUUID();
  return new Promise<string>((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (!isResponse(message) || message.id !== id) return;
      finish();
      if (message.text !== undefined) resolve(message.text);
      else reject(new ClusterMetricsUnavailableError(message.error ?? 'no answer'));
    };
    // prom-client's own collection times out at 5 s (a worker that died mid-scrape); ours just after.
    const timer = setTimeout(() => {
      finish();
      reject(new ClusterMetricsUnavailableError('the cluster primary did not answer'));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      process.off('message', onMessage);
    };
    process.on('message', onMessage);
    process.send!({ type: REQUEST, id } satisfies MetricsRequest);
  });
}

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
