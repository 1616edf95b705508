import { predict, serviceInfo } from '../src/api';
import { ApiError, NetworkError } from '../src/api-error';

const ok = { prediction: 'normal', confidence: 0.8, probabilities: { cataract: 0.2, normal: 0.8 }, model_used: 'ensemble', strategy: 'weighted' };
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

interface Call {
  url: string;
  init: RequestInit;
}

function fakeFetch(...answers: Array<Response | Error | 'hang'>): { fetchImpl: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const next = answers.shift();
    if (next === undefined) throw new Error('unexpected call');
    if (next === 'hang') {
      return new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    }
    if (next instanceof Error) throw next;
    return next;
  }) as unknown as typeof fetch;
  return { fetchImpl, calls };
}

const photo = new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' });

describe('predict', () => {
  it('posts the photo as multipart field "file" with the API key and the cascade query', async () => {
    const { fetchImpl, calls } = fakeFetch(json(200, { ...ok, strategy: 'cascade' }));
    const out = await predict(photo, 'eye.jpg', 'cascade', { apiKey: 'k1', fetchImpl });
    expect(out.fellBack).toBe(false);
    expect(out.response.prediction).toBe('normal');
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('/predict_ensemble?strategy=cascade');
    expect(calls[0].init.method).toBe('POST');
    expect((calls[0].init.headers as Record<string, string>)['X-API-Key']).toBe('k1');
    const sent = (calls[0].init.body as FormData).get('file') as File;
    expect(sent.name).toBe('eye.jpg');
    expect(sent.size).toBe(3);
  });

  it('sends no key header when no key is entered, and no query for the weighted strategy', async () => {
    const { fetchImpl, calls } = fakeFetch(json(200, ok));
    await predict(photo, 'eye.jpg', 'weighted', { fetchImpl });
    expect(calls[0].url).toBe('/predict_ensemble');
    expect(calls[0].init.headers).not.toHaveProperty('X-API-Key');
  });

  it('falls back to /predict_lgbm when the ensemble route does not exist (404)', async () => {
    const single = { ...ok, model_used: 'lgbm', strategy: undefined };
    const { fetchImpl, calls } = fakeFetch(json(404, { error: { code: 'NOT_FOUND', message: 'no route' } }), json(200, single));
    const out = await predict(photo, 'eye.jpg', 'cascade', { fetchImpl });
    expect(out.fellBack).toBe(true);
    expect(out.response.model_used).toBe('lgbm');
    expect(calls.map((c) => c.url)).toEqual(['/predict_ensemble?strategy=cascade', '/predict_lgbm']);
  });

  it('turns an error body into an ApiError with code, message, request id and Retry-After', async () => {
    const { fetchImpl } = fakeFetch(json(503, { error: { code: 'OVERLOADED', message: 'queue full' }, request_id: 'r1' }, { 'Retry-After': '7' }));
    const err = (await predict(photo, 'eye.jpg', 'weighted', { fetchImpl }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect([err.status, err.code, err.message, err.retryAfterSeconds, err.requestId]).toEqual([503, 'OVERLOADED', 'queue full', 7, 'r1']);
  });

  it('survives an error that is not our JSON (e.g. a proxy page)', async () => {
    const { fetchImpl } = fakeFetch(new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const err = (await predict(photo, 'eye.jpg', 'weighted', { fetchImpl }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect([err.status, err.code, err.message]).toEqual([502, undefined, 'Bad Gateway']);
  });

  it('rejects a 200 answer without a verdict instead of showing nonsense', async () => {
    const { fetchImpl } = fakeFetch(json(200, { hello: 'world' }));
    await expect(predict(photo, 'eye.jpg', 'weighted', { fetchImpl })).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('reports an unreachable service as a NetworkError', async () => {
    const { fetchImpl } = fakeFetch(new TypeError('Failed to fetch'));
    const err = (await predict(photo, 'eye.jpg', 'weighted', { fetchImpl }).catch((e: unknown) => e)) as NetworkError;
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.timedOut).toBe(false);
  });

  it('gives up after its own deadline with a timed-out NetworkError', async () => {
    const { fetchImpl } = fakeFetch('hang');
    const err = (await predict(photo, 'eye.jpg', 'weighted', { fetchImpl, timeoutMs: 20 }).catch((e: unknown) => e)) as NetworkError;
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.timedOut).toBe(true);
  });

  it('passes a user abort through untouched (the page ignores it)', async () => {
    const { fetchImpl } = fakeFetch('hang');
    const controller = new AbortController();
    const pending = predict(photo, 'eye.jpg', 'weighted', { fetchImpl, signal: controller.signal });
    controller.abort();
    const err = (await pending.catch((e: unknown) => e)) as Error;
    expect(err).not.toBeInstanceOf(NetworkError);
    expect(err.name).toBe('AbortError');
  });
});

describe('serviceInfo', () => {
  it('asks GET / for JSON and returns it', async () => {
    const { fetchImpl, calls } = fakeFetch(json(200, { models: { lgbm: { version: '1' } } }));
    await expect(serviceInfo({ fetchImpl, apiKey: 'k' })).resolves.toEqual({ models: { lgbm: { version: '1' } } });
    expect(calls[0].url).toBe('/');
    expect(calls[0].init.headers).toMatchObject({ Accept: 'application/json', 'X-API-Key': 'k' });
  });

  it('is undefined when the service refuses or is down', async () => {
    expect(await serviceInfo({ fetchImpl: fakeFetch(json(401, {})).fetchImpl })).toBeUndefined();
    expect(await serviceInfo({ fetchImpl: fakeFetch(new TypeError('down')).fetchImpl })).toBeUndefined();
  });
});
