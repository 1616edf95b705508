export * from './manifest-error';
export * from './runtime-errors';
export * from './job-errors';
export * from './scheduler-errors';
export * from './inference-errors';
