import { randomUUID } from 'node:crypto';
import { bucketOf, ModelStateSchema, versionForRequest } from '../src';

describe('model state: which version answers a request', () => {
  it('sends the canary percentage of request ids to the canary, the same id always to the same version', () => {
    const state = { serving: 'v1', canary: { version: 'v2', percent: 10 } };
    const ids = Array.from({ length: 2000 }, () => randomUUID());
    const share = ids.filter((id) => versionForRequest(state, id) === 'v2').length / ids.length;
    expect(Math.abs(share - 0.1)).toBeLessThanOrEqual(0.03);
    for (const id of ids.slice(0, 50)) expect(versionForRequest(state, id)).toBe(versionForRequest(state, id));
    expect(versionForRequest({ serving: 'v1' }, ids[0])).toBe('v1');
    expect(ids.every((id) => versionForRequest({ serving: 'v1', canary: { version: 'v2', percent: 100 } }, id) === 'v2')).toBe(true);
  });

  it('spreads buckets over 0..9999', () => {
    const b = Array.from({ length: 1000 }, (_, i) => bucketOf(`req-${i}`));
    expect(Math.min(...b)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...b)).toBeLessThan(10000);
    expect(new Set(b).size).toBeGreaterThan(900);
  });

  it('refuses a state with a version name that is not a folder name, or a canary over 100 %', () => {
    const ok = { serving: 'lgbm-1', revision: 0, updated_at: new Date().toISOString() };
    expect(ModelStateSchema.safeParse(ok).success).toBe(true);
    expect(ModelStateSchema.safeParse({ ...ok, serving: '../x' }).success).toBe(false);
    expect(ModelStateSchema.safeParse({ ...ok, canary: { version: 'v2', percent: 101 } }).success).toBe(false);
  });
});
