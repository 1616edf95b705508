export { createServiceLogger, logDestination } from './logger';
export type { DestinationStream, Logger, ServiceLoggerOptions } from './logger';
export { closeRedis, connectRedis, isReady, whenReady } from './redis';
export type { Redis, RedisRole } from './redis';
