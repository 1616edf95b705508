import { loadConfig } from '../src/config';
import { FaultDelayRuntime } from '../src/runtimes/fault-delay-runtime';
import type { ModelRuntime, RuntimeOutcome } from '../src/runtimes/runtime';

/** ACTOR_FAULT_DELAY_MS: the test-only "slow model" knob used by tests/faults. */
describe('fault delay (test-only knob)', () => {
  it('is off by default, read from ACTOR_FAULT_DELAY_MS, and refused in production', () => {
    expect(loadConfig(['--model', 'lgbm'], {}).faultDelayMs).toBe(0);
    expect(loadConfig(['--model', 'lgbm'], { ACTOR_FAULT_DELAY_MS: '2500' }).faultDelayMs).toBe(2500);
    expect(() => loadConfig(['--model', 'lgbm'], { ACTOR_FAULT_DELAY_MS: '-1' })).toThrow(/ACTOR_FAULT_DELAY_MS/);
    expect(() => loadConfig(['--model', 'lgbm'], { ACTOR_FAULT_DELAY_MS: '2500', NODE_ENV: 'production' })).toThrow(/test-only.*production/);
    // Off (0) is fine in production.
    expect(loadConfig(['--model', 'lgbm'], { ACTOR_FAULT_DELAY_MS: '0', NODE_ENV: 'production' }).faultDelayMs).toBe(0);
  });

  it('answers exactly what the wrapped runtime answers, only later', async () => {
    const answer: RuntimeOutcome[] = [{ ok: true, probabilities: { cataract: 0.7, normal: 0.3 } }];
    const calls: number[] = [];
    const inner: ModelRuntime = {
      kind: 'lightgbm',
      preferredBatchSize: 1,
      load: async () => undefined,
      predict: async (inputs) => {
        calls.push(inputs.length);
        return answer;
      },
      close: async () => undefined,
    };
    const slow = new FaultDelayRuntime(inner, 200);
    expect(slow.kind).toBe('lightgbm');
    expect(slow.preferredBatchSize).toBe(1);
    let done = false;
    const p = slow.predict([Buffer.from('x')]).then((r) => {
      done = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    expect(calls).toEqual([]); // the model has not even been asked yet
    expect(await p).toBe(answer);
    expect(calls).toEqual([1]);
  });
});
