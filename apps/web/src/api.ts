/** Calls to the gateway's HTTP API. Same origin as the page, so every path is absolute from `/`. */
import { ApiError, NetworkError } from './api-error';
import { isPredictionResponse, type PredictionResponse, type Strategy } from './prediction';
import { parseRetryAfter } from './retry-after';

export interface RequestOptions {
  apiKey?: string;
  /** Aborts the call when the user picks another photo; the caller ignores the resulting AbortError. */
  signal?: AbortSignal;
  /** Our own deadline, longer than the gateway's, so a hung connection still ends in words. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

export interface PredictOutcome {
  response: PredictionResponse;
  /** True when `/predict_ensemble` does not exist on this server and `/predict_lgbm` answered instead. */
  fellBack: boolean;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export async function predict(photo: Blob, fileName: string, strategy: Strategy, options: RequestOptions = {}): Promise<PredictOutcome> {
  const query = strategy === 'cascade' ? '?strategy=cascade' : '';
  const ensemble = await send(`/predict_ensemble${query}`, photo, fileName, options);
  // An older gateway has only the single-model routes: answer from the fast model rather than fail.
  if (ensemble.status !== 404) return { response: await readPrediction(ensemble), fellBack: false };
  await ensemble.text().catch(() => undefined); // drain the small 404 body so the connection is reused
  const single = await send('/predict_lgbm', photo, fileName, options);
  return { response: await readPrediction(single), fellBack: true };
}

/** `GET /` as JSON: the service's name and its models with versions. Undefined when unavailable. */
export async function serviceInfo(options: RequestOptions = {}): Promise<unknown> {
  try {
    const res = await withDeadline('/', { headers: headers(options.apiKey, 'application/json') }, options);
    if (!res.ok) return undefined;
    return await res.json();
  } catch {
    return undefined;
  }
}

export function headers(apiKey: string | undefined, accept = 'application/json'): Record<string, string> {
  const h: Record<string, string> = { Accept: accept };
  if (apiKey) h['X-API-Key'] = apiKey;
  return h;
}

function send(path: string, photo: Blob, fileName: string, options: RequestOptions): Promise<Response> {
  const form = new FormData();
  form.append('file', photo, fileName);
  return withDeadline(path, { method: 'POST', body: form, headers: headers(options.apiKey) }, options);
}

export async function withDeadline(path: string, init: RequestInit, options: RequestOptions): Promise<Response> {
  const fetchImpl = options.fetchImpl ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const forward = (): void => controller.abort();
  options.signal?.addEventListener('abort', forward, { once: true });
  try {
    return await fetchImpl(path, { ...init, signal: controller.signal });
  } catch (err) {
    if (options.signal?.aborted) throw err; // superseded by the user: not an error to show
    if (timedOut) throw new NetworkError(`No answer within ${Math.round(timeoutMs / 1000)} s`, true);
    throw new NetworkError(err instanceof Error ? err.message : String(err), false);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', forward);
  }
}

async function readPrediction(res: Response): Promise<PredictionResponse> {
  const body: unknown = await res.json().catch(() => undefined);
  if (res.ok) {
    if (isPredictionResponse(body)) return body;
    throw new ApiError(res.status, 'BAD_RESPONSE', 'The service sent an answer this page does not understand', undefined, undefined);
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const requestId = (body as { request_id?: unknown } | undefined)?.request_id;
  throw new ApiError(
    res.status,
    typeof error?.code === 'string' ? error.code : undefined,
    typeof error?.message === 'string' ? error.message : res.statusText || `HTTP ${res.status}`,
    parseRetryAfter(res.headers.get('Retry-After')),
    typeof requestId === 'string' ? requestId : undefined,
  );
}
