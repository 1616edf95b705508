import { describeDrift, driftStatus } from '../src/drift-status';

describe('the footer’s drift line', () => {
  it('says ok / warn / alert in words, from the full report or the public summary', () => {
    expect(describeDrift({ status: 'ok', monitoring: true, generated_at: 'x' })).toMatch(/^Drift watch: ok — recent photos and answers look like/);
    expect(describeDrift({ status: 'warn', monitoring: true, models: {} })).toMatch(/^Drift watch: warn — .*started to differ/);
    expect(describeDrift({ status: 'alert', monitoring: true })).toMatch(/extra care/);
  });

  it('says when monitoring is off, and nothing for a body it does not know', () => {
    expect(describeDrift({ status: 'ok', monitoring: false })).toBe('Drift watch: off on this service.');
    for (const body of [undefined, null, {}, { status: 'degraded' }, 'ok']) expect(describeDrift(body)).toBeUndefined();
  });

  it('asks /drift_status with the key when one is given; an error or a network failure is "unavailable"', async () => {
    const calls: Array<[string, RequestInit]> = [];
    const answer = (res: Response | Error) =>
      (async (url: string, init: RequestInit) => {
        calls.push([url, init]);
        if (res instanceof Error) throw res;
        return res;
      }) as unknown as typeof fetch;
    expect(await driftStatus({ apiKey: 'k', fetchImpl: answer(new Response('{"status":"ok","monitoring":true}', { status: 200 })) })).toEqual({ status: 'ok', monitoring: true });
    expect(calls[0][0]).toBe('/drift_status');
    expect((calls[0][1].headers as Record<string, string>)['X-API-Key']).toBe('k');
    expect(await driftStatus({ fetchImpl: answer(new Response('{}', { status: 404 })) })).toBeUndefined();
    expect(await driftStatus({ fetchImpl: answer(new TypeError('offline')) })).toBeUndefined();
  });
});
