/** Library entry (the executable is main.js): lets tests and other tools assemble a gateway in-process. */
export { createApp, PREDICT_ROUTE_MODELS } from './http/app';
export type { AppDeps } from './http/app';
export { loadConfig } from './config';
export type { GatewayConfig } from './config';
export { startHttpWorker } from './process/http-worker';
export { createGatewayServices } from './process/worker-services';
export type { GatewayServices } from './process/worker-services';
export type { HttpWorker } from './process/http-worker';
export { ModelClient } from './dispatch/model-client';
export type { StoredUpload, RequestContext } from './dispatch/model-client';
export * from './errors';
