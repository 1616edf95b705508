/** The footer line saying whether recent photos and answers still look like the training photos (`GET /drift_status`). */

const WORDS = {
  ok: 'recent photos and answers look like the ones the models were trained on.',
  warn: 'recent photos or answers have started to differ from the ones the models were trained on; the operators are told why.',
  alert: 'recent photos or answers differ clearly from the ones the models were trained on; treat answers with extra care.',
} as const;

/** The sentence for a /drift_status body (the full report or the public summary); undefined for anything else. */
export function describeDrift(body: unknown): string | undefined {
  const b = body as { status?: unknown; monitoring?: unknown } | null | undefined;
  if (b?.monitoring === false) return 'Drift watch: off on this service.';
  const status = b?.status;
  if (status !== 'ok' && status !== 'warn' && status !== 'alert') return undefined;
  return `Drift watch: ${status} — ${WORDS[status]}`;
}

/** GET /drift_status as JSON; undefined when it is unavailable (an older server, no network). */
export async function driftStatus(options: { apiKey?: string; fetchImpl?: typeof fetch; timeoutMs?: number } = {}): Promise<unknown> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.apiKey) headers['X-API-Key'] = options.apiKey;
  try {
    const res = await (options.fetchImpl ?? fetch)('/drift_status', { headers, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    if (!res.ok) return undefined;
    return await res.json();
  } catch {
    return undefined;
  }
}
