export { Backoff, type BackoffOptions } from './backoff';
export { SupervisedChild, type ChildSpec, type ChildExit } from './child-process';
export { Cluster, planCluster, type ClusterPlan } from './cluster';
export { loadConfig, type SupervisorConfig } from './config';
export * from './errors';
export { detectModel, detectModels, type ModelPresence } from './models';
export { ensureRedis, findExecutable, freePort, probeRedis, startEmbeddedRedis, type RedisProbe } from './redis-bootstrap';
export { installSignalHandlers, shutdownCluster } from './shutdown';
