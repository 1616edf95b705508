import { HttpError, ServiceUnavailableError } from '../errors';

/** ENSEMBLE_WEIGHTS / CASCADE_BAND / models/ensemble.json is unusable: the gateway refuses to start. */
export class EnsembleConfigError extends Error {
  constructor(source: string, detail: string) {
    super(`invalid gateway configuration: ${source}: ${detail}`);
    this.name = 'EnsembleConfigError';
  }
}

/** ?strategy= names no known strategy. */
export class UnknownStrategyError extends HttpError {
  constructor(value: unknown) {
    super(400, 'bad_request', `unknown strategy ${JSON.stringify(value)}: use "weighted" (default) or "cascade"`);
  }
}

/** A member model type missing from SERVED_MODELS: the ensemble answers from the other one. */
export class MemberNotServedError extends ServiceUnavailableError {
  constructor(model: string) {
    super('no_actor', `the ${model} model is not served by this deployment`, 2);
  }
}
