import type { Redis } from '@cataract/service-kit';
import { ShadowRunner } from '../src/versions/shadow-runner';
import type { Lease } from '../src/versions/version-set';
import type { RuntimeOutcome } from '../src/runtimes/runtime';

/** A Redis double recording HINCRBY fields; `hold` keeps every write pending (a slow Redis). */
function fakeRedis(hold = false) {
  const counts = new Map<string, number>();
  const later: Array<() => void> = [];
  const add = (field: string) => counts.set(field, (counts.get(field) ?? 0) + 1);
  const settle = <T>(v: T) => (hold ? new Promise<T>((r) => later.push(() => r(v))) : Promise.resolve(v));
  const redis = {
    multi() {
      const fields: string[] = [];
      const tx = {
        hincrby: (_k: string, f: string) => (fields.push(f), tx),
        exec: () => settle(null).then(() => fields.forEach(add)),
      };
      return tx;
    },
    hincrby: (_k: string, f: string) => settle(null).then(() => add(f)),
  };
  return { redis: redis as unknown as Redis, counts, flush: () => later.splice(0).forEach((f) => f()) };
}

function lease(predict: () => Promise<RuntimeOutcome>) {
  const released = { n: 0 };
  const l = {
    slot: { version: 'v-shadow', manifest: { threshold: 0.5 }, scheduler: { submit: predict }, inflight: 0 },
    release: () => void released.n++,
  } as unknown as Lease;
  return { lease: l, released };
}

const answer = (p: number): RuntimeOutcome => ({ ok: true, probabilities: { cataract: p, normal: 1 - p } });
const logger = { warn: jest.fn(), info: jest.fn(), debug: jest.fn(), error: jest.fn() } as never;
const tick = () => new Promise((r) => setImmediate(r));

describe('ShadowRunner', () => {
  it('counts agreement by the answered label, and a copy beyond maxInflight as skipped; every lease is released once', async () => {
    const { redis, counts } = fakeRedis();
    const runner = new ShadowRunner(redis, 'lgbm', 1, logger);
    let finish!: (o: RuntimeOutcome) => void;
    const first = lease(() => new Promise((r) => (finish = r)));
    const second = lease(() => Promise.resolve(answer(0.9)));
    runner.copy(first.lease, Buffer.from('a'), 'cataract');
    runner.copy(second.lease, Buffer.from('b'), 'cataract'); // the first is still predicting
    finish(answer(0.2)); // the shadow says normal: a disagreement on a cataract answer
    await tick();
    await tick();
    expect(Object.fromEntries(counts)).toEqual({ skipped: 1, compared: 1, 'compared:cataract': 1 });
    expect([first.released.n, second.released.n]).toEqual([1, 1]);
  });

  it('frees its slot when the model has answered, not when the count reaches Redis', async () => {
    const { redis, counts, flush } = fakeRedis(true);
    const runner = new ShadowRunner(redis, 'lgbm', 1, logger);
    const a = lease(() => Promise.resolve(answer(0.9)));
    const b = lease(() => Promise.resolve(answer(0.9)));
    runner.copy(a.lease, Buffer.from('a'), 'cataract');
    await tick();
    runner.copy(b.lease, Buffer.from('b'), 'cataract'); // a's count is still in flight to Redis
    await tick();
    flush();
    await tick();
    expect(counts.get('skipped')).toBeUndefined();
    expect([counts.get('compared'), counts.get('agreed'), counts.get('agreed:cataract')]).toEqual([2, 2, 2]);
    expect([a.released.n, b.released.n]).toEqual([1, 1]);
  });

  it('a failed shadow prediction frees the slot and counts nothing', async () => {
    const { redis, counts } = fakeRedis();
    const runner = new ShadowRunner(redis, 'lgbm', 1, logger);
    const bad = lease(() => Promise.reject(new Error('boom')));
    runner.copy(bad.lease, Buffer.from('a'), 'normal');
    await tick();
    const next = lease(() => Promise.resolve(answer(0.1)));
    runner.copy(next.lease, Buffer.from('b'), 'normal');
    await tick();
    expect(Object.fromEntries(counts)).toEqual({ compared: 1, 'compared:normal': 1, agreed: 1, 'agreed:normal': 1 });
    expect([bad.released.n, next.released.n]).toEqual([1, 1]);
  });
});
