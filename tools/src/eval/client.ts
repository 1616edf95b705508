/**
 * Sends one photo to a served predict route, as a client would (multipart field `file`), and reads
 * the label and P(cataract) from the answer. 429 and 503 are waited out (their Retry-After, at
 * most `maxAttempts` tries); any other failure is an EvalRequestError naming the route and status.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { LabelSchema, ProbabilitiesSchema } from '@cataract/contracts';
import { EvalRequestError } from './errors';

export const ROUTES = ['lgbm', 'clip', 'ensemble'] as const;
export type RouteName = (typeof ROUTES)[number];

export interface ClientOptions {
  /** Service base URL, e.g. http://127.0.0.1:8001 */
  base: string;
  /** Sent as X-API-Key when the service requires keys. */
  apiKey?: string;
  /** Query string for the ensemble route, e.g. "strategy=cascade". */
  ensembleQuery?: string;
  /** Tries per photo when the service answers 429 / 503. Default 5. */
  maxAttempts?: number;
  /** Per-request limit. Default 60 s. */
  timeoutMs?: number;
}

export interface RouteAnswer {
  label: 'cataract' | 'normal';
  pCataract: number;
}

const AnswerSchema = z.object({ prediction: LabelSchema, probabilities: ProbabilitiesSchema });

export function routeUrl(o: ClientOptions, route: RouteName): string {
  // Relative to the base's path, so a service behind a path prefix (https://host/api) works too.
  const url = new URL(`predict_${route}`, o.base.endsWith('/') ? o.base : `${o.base}/`);
  if (route === 'ensemble' && o.ensembleQuery) url.search = o.ensembleQuery;
  return url.toString();
}

export async function predictPhoto(o: ClientOptions, route: RouteName, photo: { bytes: Buffer; mimeType: string; fileName: string }): Promise<RouteAnswer> {
  const url = routeUrl(o, route);
  const attempts = o.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const form = new FormData();
    form.append('file', new Blob([photo.bytes], { type: photo.mimeType }), photo.fileName);
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        body: form,
        headers: o.apiKey ? { 'x-api-key': o.apiKey } : {},
        signal: AbortSignal.timeout(o.timeoutMs ?? 60_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new EvalRequestError(`${url}: ${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`);
    }
    const text = await res.text();
    if ((res.status === 429 || res.status === 503) && attempt < attempts) {
      await sleep(retryDelayMs(res.headers.get('retry-after'), attempt));
      continue;
    }
    if (res.status !== 200) throw new EvalRequestError(`${url}: HTTP ${res.status} ${text.slice(0, 300)}`, res.status);
    const parsed = AnswerSchema.safeParse(safeJson(text));
    if (!parsed.success) throw new EvalRequestError(`${url}: not a prediction answer: ${text.slice(0, 300)}`, res.status);
    return { label: parsed.data.prediction, pCataract: parsed.data.probabilities.cataract };
  }
}

/** Retry-After in seconds when given (bounded to 30 s), else a short growing pause. */
function retryDelayMs(header: string | null, attempt: number): number {
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 30) * 1000 : 250 * attempt;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
