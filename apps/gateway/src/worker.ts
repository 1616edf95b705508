import { createServer, Server } from 'node:http';
import type { GatewayConfig } from './config';
import type { Logger } from './logger';
import { createGatewayServices } from './services';

export interface GatewayWorker {
  server: Server;
  /** Port actually bound (useful with PORT=0). */
  port: number;
  /** Stop accepting, let in-flight requests finish (up to shutdownGraceMs), release Redis. */
  close(): Promise<void>;
}

/** One HTTP worker of the cluster: the gateway services behind a node:http server. */
export async function startGatewayWorker(config: GatewayConfig, logger: Logger): Promise<GatewayWorker> {
  const services = createGatewayServices(config, logger);
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
