import { Backoff } from '../src/backoff';

describe('Backoff', () => {
  const options = { initialMs: 500, maxMs: 10_000, resetAfterMs: 30_000 };

  it('doubles from the initial delay up to the cap, then stays there', () => {
    const b = new Backoff(options);
    const delays = Array.from({ length: 8 }, () => b.next(100));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('starts over after a run that lasted resetAfterMs', () => {
    const b = new Backoff(options);
    b.next(10);
    b.next(10);
    expect(b.next(10)).toBe(2000);
    expect(b.next(30_000)).toBe(500);
    expect(b.next(10)).toBe(1000);
  });

  it('keeps growing when runs are shorter than resetAfterMs', () => {
    const b = new Backoff(options);
    b.next(29_999);
    expect(b.next(29_999)).toBe(1000);
  });

  it('reset() returns to the initial delay', () => {
    const b = new Backoff(options);
    b.next(0);
    b.next(0);
    b.reset();
    expect(b.next(0)).toBe(500);
  });

  it('rejects nonsense settings', () => {
    expect(() => new Backoff({ ...options, initialMs: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ ...options, maxMs: 100 })).toThrow(RangeError);
  });
});
