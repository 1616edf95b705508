import { ApiError } from '../src/api-error';
import { predictBatch } from '../src/batch-api';

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
const file = (name: string) => new File([new Uint8Array([0xff, 0xd8, 0xff])], name, { type: 'image/jpeg' });

describe('predictBatch', () => {
  it('sends every photo in the repeated field "images" and reads one line per photo, errors included', async () => {
    let sent: { url: string; init: RequestInit } | undefined;
    const fetchImpl = (async (url: string, init: RequestInit) => {
      sent = { url, init };
      return json(200, {
        model_used: 'ensemble',
        results: [
          { prediction: 'cataract', confidence: 0.91, request_id: 'b:0' },
          { error: { code: 'unsupported_format', message: 'not a JPEG, PNG or WebP image' }, status: 415, request_id: 'b:1' },
        ],
        summary: { total: 2, ok: 1, failed: 1, counts: { cataract: 1, normal: 0 }, mean_confidence: 0.91 },
        request_id: 'b',
      });
    }) as unknown as typeof fetch;
    const out = await predictBatch([file('a.jpg'), file('b.txt')], 'cascade', { apiKey: 'k', fetchImpl });
    expect(sent!.url).toBe('/predict_batch?model=ensemble&strategy=cascade');
    expect((sent!.init.body as FormData).getAll('images').map((f) => (f as File).name)).toEqual(['a.jpg', 'b.txt']);
    expect((sent!.init.headers as Record<string, string>)['X-API-Key']).toBe('k');
    expect(out.lines).toEqual([
      { ok: true, prediction: 'cataract', confidence: 0.91, requestId: 'b:0' },
      { ok: false, message: 'not a JPEG, PNG or WebP image', status: 415, requestId: 'b:1' },
    ]);
    expect(out.summary).toEqual({ ok: 1, failed: 1, cataract: 1, normal: 0 });
  });

  it('turns a refused batch into an ApiError with its code and Retry-After', async () => {
    const fetchImpl = (async () =>
      json(429, { error: { code: 'rate_limited', message: 'rate limit of 60 photos per minute' }, request_id: 'r' }, { 'Retry-After': '12' })) as unknown as typeof fetch;
    const err = await predictBatch([file('a.jpg')], 'weighted', { fetchImpl }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 12, requestId: 'r' });
  });
});
