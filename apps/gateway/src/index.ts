/** Library entry (the executable is main.js): lets tests and other tools assemble a gateway in-process. */
export { createApp, PREDICT_ROUTE_MODELS } from './app';
export type { AppDeps } from './app';
export { loadConfig } from './config';
export type { GatewayConfig } from './config';
export { startGatewayWorker } from './worker';
export { createGatewayServices } from './services';
export type { GatewayServices } from './services';
export type { GatewayWorker } from './worker';
export { ModelClient } from './model-client';
export type { StoredUpload, RequestContext } from './model-client';
export * from './errors';
