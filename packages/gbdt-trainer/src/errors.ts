/** Typed errors of the trainer: callers can tell bad input from bad parameters. */

/** A training parameter is unknown, out of range or of the wrong type. */
export class InvalidParameterError extends Error {
  override name = 'InvalidParameterError';
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(`invalid parameter ${param}: ${message}`);
  }
}

/** The training / validation data is malformed (shape, labels, non-numeric values). */
export class InvalidDataError extends Error {
  override name = 'InvalidDataError';
}
