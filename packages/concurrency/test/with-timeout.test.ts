import { TimeoutError, withTimeout } from '@cataract/concurrency';

const later = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));

test('withTimeout passes through an outcome that arrives in time', async () => {
  await expect(withTimeout(later(5, 'done'), 1000)).resolves.toBe('done');
  await expect(withTimeout(Promise.reject(new Error('boom')), 1000)).rejects.toThrow('boom');
});

test('withTimeout answers onTimeout, or rejects with a TimeoutError, when the promise is late', async () => {
  await expect(withTimeout(later(1000, 'late'), 10, () => 'timeout' as const)).resolves.toBe('timeout');
  const err = await withTimeout(later(1000, 'late'), 10).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TimeoutError);
  expect((err as TimeoutError).ms).toBe(10);
});

test('withTimeout swallows a rejection that comes after the timeout', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const late = new Promise((_, reject) => setTimeout(() => reject(new Error('late failure')), 20));
    await expect(withTimeout(late, 5, () => 'timeout')).resolves.toBe('timeout');
    await later(40, undefined);
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
