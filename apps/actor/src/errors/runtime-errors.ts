/** The manifest names a runtime this build has no implementation registered for. */
export class UnsupportedRuntimeError extends Error {
  constructor(runtime: string, available: readonly string[]) {
    super(`no model runtime registered for '${runtime}' (available: ${available.join(', ') || 'none'})`);
    this.name = 'UnsupportedRuntimeError';
  }
}

/** The model file loads but does not fit what the actor serves (e.g. not a binary classifier). */
export class IncompatibleModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncompatibleModelError';
  }
}

/** predict() called before load() finished. */
export class RuntimeNotLoadedError extends Error {
  constructor() {
    super('model runtime used before load()');
    this.name = 'RuntimeNotLoadedError';
  }
}

/** The model loaded but could not answer a warm-up input: the actor refuses to start serving it. */
export class WarmupFailedError extends Error {
  constructor(run: number, input: number, cause: Error) {
    super(`model warm-up failed (run ${run}, input ${input}): ${cause.message}`, { cause });
    this.name = 'WarmupFailedError';
  }
}
