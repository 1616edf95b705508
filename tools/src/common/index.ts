export * from './dataset';
export * from './metrics';
export * from './args';
export * from './manifest';
export { mapLimit } from '@cataract/concurrency';
export * from './vector-cache';
