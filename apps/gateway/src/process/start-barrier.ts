import cluster, { type Cluster, type Worker } from 'node:cluster';

/**
 * The workers of a starting gateway listen together. node:cluster hands connections only to workers
 * that listen, and a keep-alive client keeps the worker it first got: had each worker listened as
 * soon as its own warm-up ended (warmup/gateway-warmup.ts), the first one would have taken every early client's
 * connection for good while its siblings idled (seen in tests/faults: a worker warmed last held no
 * connection at all). So a warmed worker reports to the primary and waits; the primary lets the
 * initial workers listen once all of them are warmed (or after `maxWaitMs`, whatever is late), and
 * a worker forked later (a respawn) at once. A stopping primary releases them at once too, so a
 * worker told to stop while it waits goes on to close instead of waiting for its siblings.
 */
/** Longest the primary holds warmed workers back for a sibling still starting. */
export const START_BARRIER_MAX_MS = 30_000;
/** Longest a warmed worker waits for the primary's go (a margin past the primary's own limit). */
export const START_BARRIER_WORKER_WAIT_MS = START_BARRIER_MAX_MS + 5000;

const WARMED = 'cataract:gateway-warmed';
const LISTEN = 'cataract:gateway-listen';

function isMessage(msg: unknown, type: string): boolean {
  return typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === type;
}

/** Primary side: counts warmed workers and releases them. Call before forking. */
export function startBarrier(primary: Cluster, initialWorkers: number, maxWaitMs: number): { released(): boolean; release(): void } {
  const waiting = new Set<Worker>();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    for (const w of waiting) if (w.isConnected()) w.send({ type: LISTEN });
    waiting.clear();
  };
  primary.on('message', (worker: Worker, msg: unknown) => {
    if (!isMessage(msg, WARMED)) return;
    if (released) {
      worker.send({ type: LISTEN });
      return;
    }
    waiting.add(worker);
    if (waiting.size >= initialWorkers) release();
  });
  // One sibling failing or slow at start never keeps the others from serving.
  setTimeout(release, maxWaitMs).unref();
  return { released: () => released, release };
}

/**
 * Worker side: report warmed, resolve when the primary says listen (or after `maxWaitMs`, should the
 * primary never answer). Outside a cluster worker (in-process use, tests) it resolves at once.
 */
export function awaitListenTurn(maxWaitMs: number): Promise<'released' | 'timeout' | 'standalone'> {
  if (!cluster.isWorker || typeof process.send !== 'function' || !process.connected) return Promise.resolve('standalone');
  return new Promise((resolve) => {
    const done = (how: 'released' | 'timeout') => {
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve(how);
    };
    const onMessage = (msg: unknown) => {
      if (isMessage(msg, LISTEN)) done('released');
    };
    const timer = setTimeout(() => done('timeout'), maxWaitMs);
    process.on('message', onMessage);
    process.send!({ type: WARMED });
  });
}
