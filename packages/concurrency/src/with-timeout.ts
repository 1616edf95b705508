/** What withTimeout rejects with when no `onTimeout` is given. */
export class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * `promise`'s outcome if it settles within `ms`, else `onTimeout()`'s value (or a TimeoutError
 * without one). The timer is cleared either way, so it never holds the process open; `promise`
 * itself keeps running unobserved after a timeout (a rejection then is swallowed, not unhandled).
 */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T>;
export function withTimeout<T, F>(promise: Promise<T>, ms: number, onTimeout: () => F): Promise<T | F>;
export async function withTimeout<T, F>(promise: Promise<T>, ms: number, onTimeout?: () => F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((resolve, reject) => {
    timer = setTimeout(() => {
      if (onTimeout) resolve(onTimeout());
      else reject(new TimeoutError(ms));
    }, Math.max(0, ms));
  });
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
