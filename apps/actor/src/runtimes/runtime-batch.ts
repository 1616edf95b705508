import type { ModelRuntime, RuntimeOutcome } from './runtime';

/**
 * A batch being filled: each input starts its preprocessing as soon as it is added (while the
 * batch still collects, and while earlier batches are in inference), and run() infers the whole
 * batch once every input is ready, answering one outcome per input in the order added.
 */
export interface RuntimeBatch {
  readonly size: number;
  add(input: Buffer): void;
  /** Call exactly once. */
  run(): Promise<RuntimeOutcome[]>;
}

/** A runtime that can prepare inputs while their batch is still collecting. */
export interface BatchOpener {
  openBatch(capacity: number): RuntimeBatch;
}

export function opensBatches(runtime: ModelRuntime): runtime is ModelRuntime & BatchOpener {
  return typeof (runtime as Partial<BatchOpener>).openBatch === 'function';
}

/** For runtimes without their own: collect the inputs, hand them to predict() at run(). */
export function collectingBatch(runtime: ModelRuntime): RuntimeBatch {
  const inputs: Buffer[] = [];
  return {
    get size() {
      return inputs.length;
    },
    add: (input) => {
      inputs.push(input);
    },
    run: () => runtime.predict(inputs),
  };
}
