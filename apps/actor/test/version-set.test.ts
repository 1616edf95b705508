import pino from 'pino';
import type { RuntimeOutcome } from '../src/runtimes/runtime';
import { VersionSet } from '../src/versions/version-set';
import type { VersionSlot } from '../src/versions/version-slot';

/** Slots whose runtime and scheduler only record whether they were closed. */
function fakeLoader(refuse: Set<string> = new Set()) {
  const closed: string[] = [];
  const loaded: string[] = [];
  const load = async (version: string): Promise<VersionSlot> => {
    if (refuse.has(version)) throw new Error(`warm-up of ${version} failed`);
    loaded.push(version);
    const outcome: RuntimeOutcome = { ok: true, probabilities: { cataract: 0.9, normal: 0.1 } };
    return {
      version,
      manifest: { version, threshold: 0.5 } as VersionSlot['manifest'],
      runtime: { kind: 'lightgbm', preferredBatchSize: 1, load: async () => undefined, predict: async () => [outcome], close: async () => void closed.push(version) },
      scheduler: { submit: async () => outcome, close: async () => undefined },
      inflight: 0,
    };
  };
  return { load, closed, loaded };
}

const logger = pino({ level: 'silent' });
const flush = () => new Promise((r) => setImmediate(r));

describe('VersionSet: the model versions one actor holds', () => {
  it('loads a new version beside the serving one, switches, and frees the old one once its last job ends', async () => {
    const f = fakeLoader();
    let changes = 0;
    const set = new VersionSet({ load: f.load, logger, switchWarmupRuns: 1, onChange: () => changes++ });
    await set.start({ serving: 'v1' }, 1);
    const running = set.acquire('req-a'); // a job in flight on v1
    expect(running.slot.version).toBe('v1');

    await set.apply({ serving: 'v2' }, undefined);
    expect(set.serving).toBe('v2');
    expect(set.acquire('req-b').slot.version).toBe('v2'); // jobs starting now run on v2
    expect(running.slot.version).toBe('v1'); // the running job keeps its version
    expect(f.closed).toEqual([]); // v1 is still in use
    running.release();
    await flush();
    expect(f.closed).toEqual(['v1']);
    expect(set.report()).toEqual({ serving: 'v2', loaded: ['v2'] });
    expect(changes).toBeGreaterThan(0);
  });

  it('keeps answering with what it has when a version fails to load, and says so', async () => {
    const f = fakeLoader(new Set(['bad']));
    const set = new VersionSet({ load: f.load, logger, switchWarmupRuns: 1 });
    await set.start({ serving: 'v1' }, 1);
    await set.apply({ serving: 'v1' }, { version: 'bad', id: 'p1' });
    expect(set.report()).toMatchObject({ serving: 'v1', loaded: ['v1'], failed: { bad: 'warm-up of bad failed' }, prepare_id: 'p1' });
    await set.apply({ serving: 'bad' }, undefined); // a state it cannot follow
    expect(set.serving).toBe('v1');
    expect(set.acquire('x').slot.version).toBe('v1');
    await set.apply({ serving: 'bad' }, undefined);
    expect(f.loaded).toEqual(['v1']); // not retried on every poll, only for a new prepare request
  });

  it('holds a prepared version until the state names it, splits a canary by request id, leases a shadow', async () => {
    const f = fakeLoader();
    const set = new VersionSet({ load: f.load, logger, switchWarmupRuns: 1 });
    await set.start({ serving: 'v1' }, 1);
    await set.apply({ serving: 'v1' }, { version: 'v2', id: 'p1' });
    expect(set.report().loaded).toEqual(['v1', 'v2']);
    expect(set.acquire('r').slot.version).toBe('v1');
    await set.apply({ serving: 'v1', canary: { version: 'v2', percent: 50 }, shadow: { version: 'v3' } }, undefined);
    const answered = Array.from({ length: 400 }, (_, i) => set.acquire(`req-${i}`).slot.version);
    const share = answered.filter((v) => v === 'v2').length / answered.length;
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
    expect(set.acquireShadow()?.slot.version).toBe('v3');
    await set.apply({ serving: 'v1' }, undefined);
    expect(set.acquireShadow()).toBeUndefined();
  });
});
