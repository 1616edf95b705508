/** The eval's expected failures: reported as one line and exit code 1, unlike a bug's stack trace. */

/** A request to the service failed (no connection, or an answer that is not a prediction). */
export class EvalRequestError extends Error {
  override name = 'EvalRequestError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The folder or predictions file given cannot be read as one. */
export class EvalInputError extends Error {
  override name = 'EvalInputError';
}

/** The service the eval starts itself did not come up (its output is in the message). */
export class LocalServiceError extends Error {
  override name = 'LocalServiceError';
}
