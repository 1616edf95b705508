import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { hostname } from 'node:os';
import { redisKeys } from '@cataract/contracts';
import { readAbout } from './about';
import { ActorRegistry } from './actor-registry';
import { createApp } from './app';
import type { GatewayConfig } from './config';
import type { Logger } from './logger';
import { ModelCatalog } from './model-catalog';
import { ModelClient } from './model-client';
import { ModelQueues } from './queues';
import { closeRedis, createRequestRedis, createSubscriberRedis } from './redis';
import { ReplyListener } from './reply-listener';

export interface GatewayWorker {
  server: Server;
  /** Port actually bound (useful with PORT=0). */
  port: number;
  /** Stop accepting, let in-flight requests finish (up to shutdownGraceMs), release Redis. */
  close(): Promise<void>;
}

/** One HTTP worker: its own Redis connections, reply channel, queues and Express app. */
export async function startGatewayWorker(config: GatewayConfig, logger: Logger): Promise<GatewayWorker> {
  const instanceId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const redis = createRequestRedis(config.redisUrl, `gateway:${instanceId}`, logger);
  const subscriber = createSubscriberRedis(config.redisUrl, `gateway-sub:${instanceId}`, logger);
  const queues = new ModelQueues(redis);
  const registry = new ActorRegistry(redis, logger);
  const replies = new ReplyListener(redis, subscriber, redisKeys.replyChannel(instanceId), queues, registry, logger);
  // Subscribing waits for Redis; a gateway started before Redis must still serve /health (degraded).
  replies.start().catch((err: Error) => logger.error({ err: err.message }, 'reply channel subscription failed'));
  const client = new ModelClient(redis, queues, registry, replies, logger, {
    maxQueuedPerModel: config.maxQueuedPerModel,
    requestTimeoutMs: config.requestTimeoutMs,
  });

  let stopping = false;
  const app = createApp({
    config,
    logger,
    redis,
    registry,
    client,
    catalog: new ModelCatalog(config.modelsDir),
    about: readAbout(),
    isShuttingDown: () => stopping,
  });
  const server = createServer(app);
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
  logger.info({ port, instanceId, served: config.servedModels }, 'gateway worker listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      stopping = true;
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
      await drained;
      clearTimeout(grace);
      await replies.stop();
      await queues.close();
      await Promise.all([closeRedis(subscriber), closeRedis(redis)]);
      logger.info('gateway worker stopped');
    })());

  return { server, port, close };
}
