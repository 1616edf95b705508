import type { ModelRuntime, RuntimeOutcome } from '../runtimes/runtime';
import type { InferenceScheduler } from './scheduler';

/** Every input goes to the runtime at once, alone: for runtimes that gain nothing from batches. */
export class DirectScheduler implements InferenceScheduler {
  constructor(private readonly runtime: ModelRuntime) {}

  async submit(input: Buffer): Promise<RuntimeOutcome> {
    const [outcome] = await this.runtime.predict([input]);
    return outcome;
  }

  stats(): undefined {
    return undefined;
  }

  async close(): Promise<void> {}
}
