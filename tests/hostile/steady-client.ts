import { PredictionResponseSchema } from '@cataract/contracts';
import { postImage } from '@cataract/test-support/http';

export interface SteadyClient {
  /** Stop after the request in flight; resolves with every status seen (a string for network errors). */
  stop(): Promise<Array<number | string>>;
}

/**
 * A well-behaved client uploading real photos one after another for as long as the hostile run
 * lasts: the gateway must keep answering it with valid predictions while it is being attacked.
 */
export function steadyClient(urls: readonly string[], photos: readonly Buffer[]): SteadyClient {
  const seen: Array<number | string> = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      try {
        const r = await postImage(urls[i % urls.length], { field: 'file', bytes: photos[i % photos.length], filename: 'eye.jpg', type: 'image/jpeg' }, { signal: AbortSignal.timeout(30_000) });
        seen.push(r.status === 200 && !PredictionResponseSchema.safeParse(r.body).success ? 'invalid 200 body' : r.status);
      } catch (err) {
        seen.push(`network error: ${(err as Error).message}`);
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}
