/** Library entry (the executable is main.js): lets tests run an actor in-process. */
export { startActor } from './actor';
export type { RunningActor } from './actor';
export { loadConfig, parseModelArg } from './config';
export type { ActorConfig } from './config';
export { loadModelFiles } from './manifest';
export { createRuntime } from './runtimes/registry';
export { warmUp } from './warmup';
export type { ModelRuntime, RuntimeOutcome } from './runtimes/runtime';
export { createScheduler, DirectScheduler, MicroBatcher } from './scheduling';
export type { InferenceScheduler, MicroBatcherOptions } from './scheduling';
export { OnnxRuntime } from './runtimes/onnx-runtime';
export * from './errors';
