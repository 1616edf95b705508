/** submit() after close(): the actor is stopping and takes no new inputs (the job is retried elsewhere). */
export class SchedulerClosedError extends Error {
  constructor() {
    super('inference scheduler is closed (actor stopping)');
    this.name = 'SchedulerClosedError';
  }
}

/** A runtime answered a batch with the wrong number of outcomes: every input of that batch fails. */
export class BatchOutcomeMismatchError extends Error {
  constructor(inputs: number, outcomes: number) {
    super(`runtime answered ${outcomes} outcomes for a batch of ${inputs} inputs`);
    this.name = 'BatchOutcomeMismatchError';
  }
}
