export { createScheduler } from './create-scheduler';
export { DirectScheduler } from './direct-scheduler';
export { MicroBatcher } from './micro-batcher';
export type { MicroBatcherOptions } from './micro-batcher';
export type { InferenceScheduler } from './scheduler';
