import { EventEmitter } from 'node:events';
import type { Cluster, Worker } from 'node:cluster';
import { awaitListenTurn, startBarrier } from '../src/process/start-barrier';

/** A stand-in for a cluster worker: records what the primary sends it. */
function fakeWorker(connected = true) {
  const sent: unknown[] = [];
  return { sent, isConnected: () => connected, send: (m: unknown) => sent.push(m) } as unknown as Worker & { sent: unknown[] };
}
const warmed = { type: 'cataract:gateway-warmed' };
const listen = { type: 'cataract:gateway-listen' };

describe('start barrier (the initial gateway workers listen together)', () => {
  afterEach(() => jest.useRealTimers());

  it('holds warmed workers until all initial ones are warmed, then releases them together', () => {
    const primary = new EventEmitter();
    const barrier = startBarrier(primary as unknown as Cluster, 3, 30_000);
    const [a, b, c] = [fakeWorker(), fakeWorker(), fakeWorker()];
    primary.emit('message', a, warmed);
    primary.emit('message', b, { type: 'something-else' }); // other cluster messages (metrics) are not counted
    primary.emit('message', b, warmed);
    expect([a.sent, b.sent]).toEqual([[], []]);
    expect(barrier.released()).toBe(false);
    primary.emit('message', c, warmed);
    expect([a.sent, b.sent, c.sent]).toEqual([[listen], [listen], [listen]]);
    expect(barrier.released()).toBe(true);
  });

  it('lets a worker forked later (a respawn) listen as soon as it is warmed', () => {
    const primary = new EventEmitter();
    startBarrier(primary as unknown as Cluster, 1, 30_000);
    primary.emit('message', fakeWorker(), warmed);
    const respawn = fakeWorker();
    primary.emit('message', respawn, warmed);
    expect(respawn.sent).toEqual([listen]);
  });

  it('gives up on a late sibling after maxWaitMs: the warmed ones listen (a gone one is skipped)', () => {
    jest.useFakeTimers();
    const primary = new EventEmitter();
    const barrier = startBarrier(primary as unknown as Cluster, 4, 30_000);
    const [a, gone] = [fakeWorker(), fakeWorker(false)];
    primary.emit('message', a, warmed);
    primary.emit('message', gone, warmed);
    jest.advanceTimersByTime(29_999);
    expect(a.sent).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(a.sent).toEqual([listen]);
    expect(gone.sent).toEqual([]);
    expect(barrier.released()).toBe(true);
  });

  it('release() (a stopping primary) lets the warmed workers go at once', () => {
    const primary = new EventEmitter();
    const barrier = startBarrier(primary as unknown as Cluster, 4, 30_000);
    const a = fakeWorker();
    primary.emit('message', a, warmed);
    expect(a.sent).toEqual([]);
    barrier.release();
    expect(a.sent).toEqual([listen]);
    const late = fakeWorker();
    primary.emit('message', late, warmed);
    expect(late.sent).toEqual([listen]);
  });

  it('outside a cluster worker, a worker goes on at once', async () => {
    await expect(awaitListenTurn(60_000)).resolves.toBe('standalone');
  });
});
