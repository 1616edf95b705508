import type { ModelStoreError } from '@cataract/model-store';
import { HttpError, ServiceUnavailableError } from './http-error';

/** A model-store refusal as the admin API answers it (nothing changed; the serving version keeps answering). */
export function modelStoreHttpError(err: ModelStoreError): HttpError {
  if (err.code === 'actors_not_ready') return new ServiceUnavailableError('actors_not_ready', err.message, 5, err);
  if (err.code === 'invalid_request') return new HttpError(400, 'bad_request', err.message, { cause: err });
  return new HttpError(err.status, err.code, err.message, { cause: err });
}
