/** POST /predict_batch from the page: several photos in the repeated field `images`, one answer per photo. */
import { ApiError } from './api-error';
import { headers, withDeadline, type RequestOptions } from './api';
import type { Strategy } from './prediction';
import { parseRetryAfter } from './retry-after';

/** One photo's line of the answer: its verdict, or its own error. */
export type BatchLine =
  | { ok: true; prediction: 'cataract' | 'normal'; confidence: number; requestId: string }
  | { ok: false; message: string; status: number; requestId: string };

export interface BatchOutcome {
  lines: BatchLine[];
  summary: { ok: number; failed: number; cataract: number; normal: number };
}

export async function predictBatch(photos: readonly File[], strategy: Strategy, options: RequestOptions = {}): Promise<BatchOutcome> {
  const form = new FormData();
  for (const photo of photos) form.append('images', photo, photo.name || 'photo.jpg');
  const query = strategy === 'cascade' ? '?model=ensemble&strategy=cascade' : '?model=ensemble';
  const res = await withDeadline(`/predict_batch${query}`, { method: 'POST', body: form, headers: headers(options.apiKey) }, options);
  const body = (await res.json().catch(() => undefined)) as any;
  if (!res.ok || !Array.isArray(body?.results)) {
    throw new ApiError(
      res.status,
      typeof body?.error?.code === 'string' ? body.error.code : res.ok ? 'BAD_RESPONSE' : undefined,
      typeof body?.error?.message === 'string' ? body.error.message : res.ok ? 'The service sent an answer this page does not understand' : res.statusText || `HTTP ${res.status}`,
      parseRetryAfter(res.headers.get('Retry-After')),
      typeof body?.request_id === 'string' ? body.request_id : undefined,
    );
  }
  const lines: BatchLine[] = body.results.map((r: any): BatchLine =>
    r && typeof r.prediction === 'string'
      ? { ok: true, prediction: r.prediction, confidence: Number(r.confidence), requestId: String(r.request_id) }
      : { ok: false, message: String(r?.error?.message ?? 'no answer'), status: Number(r?.status ?? 0), requestId: String(r?.request_id ?? '') },
  );
  const s = body.summary ?? {};
  return { lines, summary: { ok: Number(s.ok ?? 0), failed: Number(s.failed ?? 0), cataract: Number(s.counts?.cataract ?? 0), normal: Number(s.counts?.normal ?? 0) } };
}
