import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VectorCache } from '../src/common/vector-cache';

describe('VectorCache', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'vcache-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('computes once, then serves the stored vector bit for bit', async () => {
    const cache = new VectorCache(dir);
    let calls = 0;
    const compute = async () => {
      calls++;
      return Float64Array.of(0.1, -2.5, 1e-300);
    };
    const a = await cache.getOrCompute('k', 3, compute);
    const b = await cache.getOrCompute('k', 3, compute);
    expect(calls).toBe(1);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('a wrong-length (corrupt) entry is recomputed', async () => {
    const cache = new VectorCache(dir);
    await cache.getOrCompute('k', 2, async () => Float64Array.of(1, 2));
    for (const f of readdirSync(dir)) writeFileSync(path.join(dir, f), 'junk');
    const v = await cache.getOrCompute('k', 2, async () => Float64Array.of(3, 4));
    expect(Array.from(v)).toEqual([3, 4]);
  });

  test('without a directory nothing is stored', async () => {
    const cache = new VectorCache(undefined);
    let calls = 0;
    for (let i = 0; i < 2; i++) await cache.getOrCompute('k', 1, async () => Float64Array.of(++calls));
    expect(calls).toBe(2);
  });
});
