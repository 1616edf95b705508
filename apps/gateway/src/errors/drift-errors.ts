import { HttpError } from './http-error';

/** GET /drift_status with a query parameter it does not take, or a bad value. */
export class InvalidDriftQueryError extends HttpError {
  constructor(detail: string) {
    super(400, 'bad_request', `invalid /drift_status query: ${detail} (it takes only model=lgbm|clip)`);
  }
}
