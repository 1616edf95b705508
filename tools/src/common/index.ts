export * from './dataset';
export * from './metrics';
export * from './args';
export * from './manifest';
export * from './concurrency';
export * from './vector-cache';
