import type { Probabilities } from '@cataract/contracts';
import { WarmupFailedError } from '../src/errors';
import type { ModelRuntime, RuntimeOutcome } from '../src/runtimes/runtime';
import { warmUp } from '../src/warmup';

/** A runtime that records every batch it is given and answers with `answer`. */
function recordingRuntime(preferredBatchSize: number, answer: (run: number, input: number) => RuntimeOutcome): ModelRuntime & { batches: Buffer[][] } {
  const batches: Buffer[][] = [];
  return {
    kind: 'lightgbm',
    preferredBatchSize,
    batches,
    load: async () => undefined,
    close: async () => undefined,
    predict: async (inputs) => {
      batches.push([...inputs]);
      return inputs.map((_, i) => answer(batches.length - 1, i));
    },
  };
}

const fine: Probabilities = { cataract: 0.25, normal: 0.75 };

describe('model warm-up', () => {
  it('runs the asked number of predictions, batches of 1 (and of the preferred size for a batching runtime)', async () => {
    const single = recordingRuntime(1, () => ({ ok: true, probabilities: fine }));
    const report = await warmUp(single, 7);
    expect(single.batches.map((b) => b.length)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(report).toMatchObject({ runs: 7, inputs: 7 });
    expect(new Set(single.batches.map((b) => b[0])).size).toBeGreaterThan(1); // not one photo over and over

    const batching = recordingRuntime(4, () => ({ ok: true, probabilities: fine }));
    expect(await warmUp(batching, 4)).toMatchObject({ runs: 4, inputs: 10 });
    expect(batching.batches.map((b) => b.length)).toEqual([1, 4, 1, 4]);
  });

  it('runs all but the first, cold prediction `inFlight` at a time', async () => {
    let running = 0;
    let most = 0;
    const rt: ModelRuntime = {
      ...recordingRuntime(1, () => ({ ok: true, probabilities: fine })),
      predict: async (inputs) => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return inputs.map(() => ({ ok: true, probabilities: fine }));
      },
    };
    expect(await warmUp(rt, 20, { inFlight: 4 })).toMatchObject({ runs: 20, inputs: 20 });
    expect(most).toBe(4);
    expect(await warmUp(rt, 2, { inFlight: 8 })).toMatchObject({ runs: 2, inputs: 2 }); // never more lanes than runs
  });

  it('does nothing for 0 runs', async () => {
    const rt = recordingRuntime(1, () => ({ ok: true, probabilities: fine }));
    expect(await warmUp(rt, 0)).toMatchObject({ runs: 0, inputs: 0 });
    expect(rt.batches).toEqual([]);
  });

  it('fails loudly when the model cannot answer a warm-up input, or answers nonsense', async () => {
    const failing = recordingRuntime(1, (run) => (run === 2 ? { ok: false, error: new Error('feature set mismatch') } : { ok: true, probabilities: fine }));
    const err = await warmUp(failing, 5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WarmupFailedError);
    expect((err as Error).message).toBe('model warm-up failed (run 2, input 0): feature set mismatch');
    expect(failing.batches).toHaveLength(3); // stopped at the failure

    const nonsense = recordingRuntime(1, () => ({ ok: true, probabilities: { cataract: 0.9, normal: 0.9 } }));
    await expect(warmUp(nonsense, 3)).rejects.toThrow(/probabilities sum to 1\.8/);
  });
});
