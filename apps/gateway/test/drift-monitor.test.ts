import { DriftMonitor, loadDriftSettings, WindowSnapshot } from '../src/drift';

const empty: WindowSnapshot = { versions: [], ensemble: [] };

describe('DriftMonitor', () => {
  let clock = 0;
  const make = (read: () => Promise<WindowSnapshot>, serving: Record<string, string | undefined> = { lgbm: 'v1' }) =>
    new DriftMonitor({
      window: { read },
      baselines: { get: async () => ({ referenceProblem: 'none shipped' }) },
      servingVersion: async (m) => serving[m],
      servedModels: ['lgbm'],
      settings: loadDriftSettings({}),
      cacheMs: 2000,
      now: () => clock,
    });

  it('reuses a report for cacheMs, then reads the window again', async () => {
    const read = jest.fn(async () => empty);
    const m = make(read);
    await m.status();
    clock += 1999;
    await m.status();
    expect(read).toHaveBeenCalledTimes(1);
    clock += 1;
    await m.status();
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('a failed read (Redis down) rejects and is not reused: the next call reads again', async () => {
    let fail = true;
    const m = make(async () => {
      if (fail) throw new Error('redis down');
      return empty;
    });
    await expect(m.status()).rejects.toThrow('redis down');
    fail = false;
    await expect(m.status()).resolves.toMatchObject({ status: 'ok' });
  });

  it('reports the served types before their first answer, and types seen in the window even if not served', async () => {
    const m = make(async () => ({ versions: [{ model: 'clip', version: 'c7', answers: [{ at: clock, positive: true }], reviews: { correct: 0, wrong: 0 } }], ensemble: [] }));
    const r = await m.status();
    expect(Object.keys(r.models)).toEqual(['lgbm', 'clip']);
    expect(r.models.lgbm).toEqual({ serving_version: 'v1', versions: [expect.objectContaining({ version: 'v1', answers: 0, input: expect.objectContaining({ reference: { available: false, reason: 'none shipped' } }) })] });
    expect(r.models.clip).toMatchObject({ serving_version: null, versions: [{ version: 'c7', serving: false, answers: 1 }] });
  });
});
