/** Turns anything a prediction call can throw into words for the person at the page. */
import { ApiError, NetworkError } from './api-error';

export type KeyProblem = 'missing' | 'rejected';

export interface ErrorMessage {
  /** One plain sentence (or two) saying what happened and what to do. */
  text: string;
  /** Set when the API key is the problem, so the page can open and focus the key field. */
  keyProblem?: KeyProblem;
  /** The service's request id, for a support question. */
  reference?: string;
}

export const MAX_UPLOAD_MB = 10;

export function describeError(err: unknown): ErrorMessage {
  if (err instanceof ApiError) return { ...describeApiError(err), reference: err.requestId };
  if (err instanceof NetworkError) {
    return err.timedOut
      ? { text: `${err.message} from the service. It may be overloaded; try again in a moment.` }
      : { text: 'Could not reach the service. Check the connection (or whether the service is running) and try again.' };
  }
  return { text: `Something went wrong in this page: ${err instanceof Error ? err.message : String(err)}` };
}

function describeApiError(err: ApiError): ErrorMessage {
  const wait = err.retryAfterSeconds;
  switch (err.status) {
    case 400:
      return { text: `The service could not use this upload: ${sentence(err.message)}` };
    case 401:
      return { text: 'This service needs an API key. Enter it under “API key” and press “Analyse photo” again.', keyProblem: 'missing' };
    case 403:
      return { text: 'The API key was not accepted. Check it under “API key” and try again.', keyProblem: 'rejected' };
    case 413:
      return { text: `The photo is too large (max ${MAX_UPLOAD_MB} MB). Choose a smaller photo or a lower camera resolution.` };
    case 415:
      return { text: 'This file is not a photo we can read (JPEG, PNG or WebP). Choose another file.' };
    case 429:
      return { text: `Too many requests for now; try again in ${wait ?? 60} s.` };
    case 503:
      return { text: wait !== undefined ? `The service is busy; try again in ${wait} s.` : 'The service is busy or starting up; try again in a few seconds.' };
    case 504:
      return { text: 'The models took too long to answer; try again in a moment.' };
    default:
      if (err.code === 'BAD_RESPONSE') return { text: `${sentence(err.message)} Try reloading the page.` };
      return { text: `The service failed (HTTP ${err.status}): ${sentence(err.message)}` };
  }
}

function sentence(message: string): string {
  const trimmed = message.trim();
  if (trimmed === '') return 'no details given.';
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
