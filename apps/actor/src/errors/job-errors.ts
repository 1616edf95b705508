import { UnrecoverableError } from 'bullmq';

/** The request's deadline passed before the job ran: nobody waits, so no work and no retry. */
export class DeadlinePassedError extends UnrecoverableError {
  constructor(lateByMs: number) {
    super(`deadline passed ${lateByMs} ms before processing; dropped`);
  }
}

/** The upload key is gone: its request already ended (answered, timed out or abandoned). */
export class UploadGoneError extends UnrecoverableError {
  constructor(key: string) {
    super(`upload ${key} no longer exists (request ended); dropped`);
  }
}

/** The job payload does not match the contract; retrying cannot fix it. */
export class InvalidJobError extends UnrecoverableError {
  constructor(detail: string) {
    super(`invalid job payload: ${detail}`);
  }
}
