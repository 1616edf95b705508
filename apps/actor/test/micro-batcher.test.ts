import { BatchOutcomeMismatchError, SchedulerClosedError } from '../src/errors';
import { MicroBatcher } from '../src/scheduling/micro-batcher';
import type { ModelRuntime, RuntimeOutcome } from '../src/runtimes/runtime';
import type { BatchOpener } from '../src/runtimes/runtime-batch';

/**
 * A runtime whose answer is a function of the input bytes (so any cross-talk between callers shows),
 * which records every batch, can be held open, and fails inputs that start with "bad".
 */
class RecordingRuntime implements ModelRuntime {
  readonly kind = 'onnx' as const;
  readonly preferredBatchSize = 16;
  batches: string[][] = [];
  running = 0;
  maxRunning = 0;
  throwWith: Error | undefined;
  shortAnswer = false;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((r) => (this.openGate = r));
  }
  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }
  async load() {}
  async close() {}
  async predict(inputs: readonly Buffer[]): Promise<RuntimeOutcome[]> {
    this.batches.push(inputs.map((b) => b.toString()));
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      await this.gate;
      await new Promise((r) => setImmediate(r));
      if (this.throwWith) throw this.throwWith;
      const out = inputs.map((b): RuntimeOutcome => {
        const s = b.toString();
        if (s.startsWith('bad')) return { ok: false, error: new Error(`cannot decode ${s}`) };
        const p = Number(s) / 1000;
        return { ok: true, probabilities: { cataract: p, normal: 1 - p } };
      });
      return this.shortAnswer ? out.slice(1) : out;
    } finally {
      this.running--;
    }
  }
}

const input = (i: number | string) => Buffer.from(String(i));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('MicroBatcher', () => {
  it('gives each of many concurrent callers its own outcome, in batches of at most maxBatch', async () => {
    const rt = new RecordingRuntime();
    const b = new MicroBatcher(rt, { maxBatch: 8, maxWaitMs: 20 });
    const ids = Array.from({ length: 50 }, (_, i) => 3 + i * 19);
    const outcomes = await Promise.all(ids.map((i) => b.submit(input(i))));
    outcomes.forEach((o, k) => expect(o).toEqual({ ok: true, probabilities: { cataract: ids[k] / 1000, normal: 1 - ids[k] / 1000 } }));
    expect(rt.batches.flat().sort()).toEqual(ids.map(String).sort()); // each input ran exactly once
    expect(Math.max(...rt.batches.map((x) => x.length))).toBe(8);
    expect(rt.batches.length).toBe(Math.ceil(50 / 8));
    expect(b.stats()).toEqual({ max_batch: 8, max_wait_ms: 20, batches: 7, batched_inputs: 50, avg_batch_size: Number((50 / 7).toFixed(3)) });
  });

  it('runs inputs once the oldest has waited maxWaitMs, without waiting for a full batch', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    try {
      const rt = new RecordingRuntime();
      const b = new MicroBatcher(rt, { maxBatch: 16, maxWaitMs: 30 });
      const first = b.submit(input(1));
      await jest.advanceTimersByTimeAsync(10);
      const second = b.submit(input(2)); // arrives within the first one's window: same batch
      await jest.advanceTimersByTimeAsync(19);
      expect(rt.batches).toEqual([]); // the oldest has waited 29 ms of 30
      await jest.advanceTimersByTimeAsync(1);
      expect(rt.batches).toEqual([['1', '2']]);
      jest.useRealTimers();
      expect(await first).toMatchObject({ ok: true });
      expect(await second).toMatchObject({ ok: true });
    } finally {
      jest.useRealTimers();
    }
  });

  it('a full batch runs at once', async () => {
    const rt = new RecordingRuntime();
    const b = new MicroBatcher(rt, { maxBatch: 4, maxWaitMs: 60_000 });
    const all = Promise.all([1, 2, 3, 4].map((i) => b.submit(input(i))));
    await expect(all).resolves.toHaveLength(4);
    expect(rt.batches).toEqual([['1', '2', '3', '4']]);
  });

  it('keeps at most maxInflight batches running; inputs arriving meanwhile form the next batch', async () => {
    const rt = new RecordingRuntime();
    rt.hold();
    const b = new MicroBatcher(rt, { maxBatch: 2, maxWaitMs: 0, maxInflight: 1 });
    const first = b.submit(input(1));
    await sleep(5);
    const rest = [2, 3, 4, 5, 6].map((i) => b.submit(input(i)));
    await sleep(20);
    expect(rt.batches).toEqual([['1']]); // the others wait for the running batch
    rt.release();
    await Promise.all([first, ...rest]);
    expect(rt.maxRunning).toBe(1);
    expect(rt.batches).toEqual([['1'], ['2', '3'], ['4', '5'], ['6']]);
  });

  it('a bad input fails only its own caller', async () => {
    const rt = new RecordingRuntime();
    const b = new MicroBatcher(rt, { maxBatch: 4, maxWaitMs: 5 });
    const [a, bad, c] = await Promise.all([b.submit(input(10)), b.submit(input('bad-1')), b.submit(input(30))]);
    expect(a).toMatchObject({ ok: true, probabilities: { cataract: 0.01 } });
    expect(bad).toMatchObject({ ok: false, error: { message: 'cannot decode bad-1' } });
    expect(c).toMatchObject({ ok: true, probabilities: { cataract: 0.03 } });
    expect(rt.batches).toHaveLength(1);
  });

  it('a failing inference fails each caller of that batch with its error, and the next batch still runs', async () => {
    const rt = new RecordingRuntime();
    const b = new MicroBatcher(rt, { maxBatch: 2, maxWaitMs: 0 });
    rt.throwWith = new Error('session exploded');
    const failed = await Promise.all([b.submit(input(1)), b.submit(input(2))]);
    expect(failed).toEqual([
      { ok: false, error: rt.throwWith },
      { ok: false, error: rt.throwWith },
    ]);
    rt.throwWith = undefined;
    expect(await b.submit(input(3))).toMatchObject({ ok: true });
  });

  it('refuses a runtime answer of the wrong length for the whole batch', async () => {
    const rt = new RecordingRuntime();
    rt.shortAnswer = true;
    const b = new MicroBatcher(rt, { maxBatch: 2, maxWaitMs: 0 });
    const out = await Promise.all([b.submit(input(1)), b.submit(input(2))]);
    for (const o of out) expect(!o.ok && o.error).toBeInstanceOf(BatchOutcomeMismatchError);
  });

  it('close() runs what is waiting without its window, waits for it, then refuses new inputs', async () => {
    const rt = new RecordingRuntime();
    const b = new MicroBatcher(rt, { maxBatch: 16, maxWaitMs: 60_000 });
    const pending = [b.submit(input(1)), b.submit(input(2))];
    const t0 = performance.now();
    await b.close();
    expect(performance.now() - t0).toBeLessThan(5000);
    const settled = await Promise.all(pending);
    expect(settled.every((o) => o.ok)).toBe(true);
    await expect(b.submit(input(3))).rejects.toBeInstanceOf(SchedulerClosedError);
  });

  it('with a runtime that opens batches, each input is handed over on arrival, before its batch runs', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    try {
      const events: string[] = [];
      const runtime: ModelRuntime & BatchOpener = {
        kind: 'onnx',
        preferredBatchSize: 4,
        load: async () => undefined,
        close: async () => undefined,
        predict: async () => {
          throw new Error('the batcher must use openBatch');
        },
        openBatch: (capacity) => {
          const inputs: string[] = [];
          events.push(`open ${capacity}`);
          return {
            get size() {
              return inputs.length;
            },
            add: (b) => {
              inputs.push(b.toString());
              events.push(`add ${b.toString()}`); // where the ONNX runtime starts decoding
            },
            run: async () => {
              events.push(`run ${inputs.join(',')}`);
              return inputs.map((s): RuntimeOutcome => ({ ok: true, probabilities: { cataract: Number(s) / 10, normal: 1 - Number(s) / 10 } }));
            },
          };
        },
      };
      const b = new MicroBatcher(runtime, { maxBatch: 4, maxWaitMs: 50 });
      const first = b.submit(input(1));
      const second = b.submit(input(2));
      await jest.advanceTimersByTimeAsync(10);
      expect(events).toEqual(['open 4', 'add 1', 'add 2']); // decoding under way, window still open
      await jest.advanceTimersByTimeAsync(40);
      expect(events).toEqual(['open 4', 'add 1', 'add 2', 'run 1,2']);
      jest.useRealTimers();
      expect(await first).toMatchObject({ ok: true, probabilities: { cataract: 0.1 } });
      expect(await second).toMatchObject({ ok: true, probabilities: { cataract: 0.2 } });
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses nonsense options', () => {
    const rt = new RecordingRuntime();
    expect(() => new MicroBatcher(rt, { maxBatch: 0, maxWaitMs: 5 })).toThrow(/maxBatch/);
    expect(() => new MicroBatcher(rt, { maxBatch: 4, maxWaitMs: -1 })).toThrow(/maxWaitMs/);
    expect(() => new MicroBatcher(rt, { maxBatch: 4, maxWaitMs: 1, maxInflight: 0 })).toThrow(/maxInflight/);
  });
});
