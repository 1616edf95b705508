import { createServer, Server } from 'node:http';
import type { GatewayConfig } from '../config';
import type { Logger } from '../logger';
import { withTimeout } from '@cataract/concurrency';
import { whenReady } from '@cataract/service-kit';
import { shareWithCluster } from '../observability/cluster-metrics';
import { createGatewayServices, type GatewayServices } from './worker-services';
import { awaitListenTurn, START_BARRIER_WORKER_WAIT_MS } from './start-barrier';
import { warmUpGateway } from './warmup/gateway-warmup';

export interface HttpWorker {
  server: Server;
  /** Port actually bound (useful with PORT=0). */
  port: number;
  /** Stop accepting, let in-flight requests finish (up to shutdownGraceMs), release Redis. */
  close(): Promise<void>;
}

/** Longest a starting worker waits for Redis before listening anyway. */
const STARTUP_REDIS_WAIT_MS = 5000;

/** True once the request-path connection is ready and the reply channel subscribed, false after `maxMs`. */
async function servingWithin(services: GatewayServices, maxMs: number): Promise<boolean> {
  const serving = Promise.all([whenReady(services.redis), services.ready]).then(() => true, () => false);
  return withTimeout(serving, maxMs, () => false);
}

/** One HTTP worker of the cluster: the gateway services behind a node:http server. */
export async function startHttpWorker(config: GatewayConfig, logger: Logger): Promise<HttpWorker> {
  const services = createGatewayServices(config, logger);
  shareWithCluster(services.metrics.registry); // the primary sums every worker's registry on a scrape
  const server = createServer(
    {
      // Slow clients (slowloris): node answers 408 and closes once the headers, or the whole
      // request, take longer than these; the check runs every connectionsCheckingInterval.
      requestTimeout: config.uploadTimeoutMs,
      headersTimeout: config.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(config.headersTimeoutMs / 4)),
    },
    services.app,
  );
  // Keep-alive sockets must outlive a client's idle gap but not a shutdown.
  server.keepAliveTimeout = 5000;
  // Join the cluster's accept rotation only once this worker can serve: a worker respawned while
  // its peers are healthy must not answer 503 redis_unavailable for its first requests (seen in
  // tests/faults: the primary hands connections to a worker as soon as it listens). If Redis is
  // down at boot, listen anyway after a bounded wait, to answer /health (degraded) and fast 503s.
  if (!(await servingWithin(services, STARTUP_REDIS_WAIT_MS))) {
    logger.warn({ waitedMs: STARTUP_REDIS_WAIT_MS }, 'Redis not ready at startup; listening anyway (degraded until it is)');
  }
  // Compile the request path before the first client's request needs it (warmup/gateway-warmup.ts).
  await warmUpGateway(services, logger, config.warmupRequests, { maxMs: config.warmupMaxMs });
  // In a cluster, listen together with the sibling workers (start-barrier.ts).
  if ((await awaitListenTurn(START_BARRIER_WORKER_WAIT_MS)) === 'timeout') logger.warn({ waitedMs: START_BARRIER_WORKER_WAIT_MS }, 'the primary never released the start barrier; listening anyway');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, instanceId: services.instanceId, served: config.servedModels }, 'gateway worker listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      services.markStopping();
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
      await drained;
      clearTimeout(grace);
      await services.close();
      logger.info('gateway worker stopped');
    })());

  return { server, port, close };
}
