/**
 * Typed errors of the predictor. Callers branch on the class (and `.line`), never on message text.
 */

/** Base class of every error this package throws on purpose. */
export class LightGBMPredictorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The model text is malformed, truncated or inconsistent. `line` is the 1-based line of the model
 * file where the problem was found (for a missing section: the line where it was expected).
 */
export class ModelFormatError extends LightGBMPredictorError {
  readonly line: number;
  readonly detail: string;

  constructor(detail: string, line: number) {
    super(`model line ${line}: ${detail}`);
    this.line = line;
    this.detail = detail;
  }
}

/**
 * The model text is well formed but uses something this predictor does not implement
 * (an unknown objective, an unknown `version=`). Refusing beats returning a wrong number.
 */
export class UnsupportedModelError extends ModelFormatError {}

/** A features file given to the CLI could not be read; `line` is 1-based in that file. */
export class FeatureInputError extends LightGBMPredictorError {
  readonly line: number;
  readonly detail: string;

  constructor(detail: string, line: number) {
    super(`features line ${line}: ${detail}`);
    this.line = line;
    this.detail = detail;
  }
}

/** A prediction call got arguments of the wrong shape (row length, output buffer size, options). */
export class PredictArgumentError extends LightGBMPredictorError {}

/** The CLI could not read an input file (missing, unreadable). */
export class FileReadError extends LightGBMPredictorError {}

/** Bad CLI arguments (exit code 2). */
export class CliUsageError extends LightGBMPredictorError {}
