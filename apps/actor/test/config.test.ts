import { loadConfig, parseModelArg } from '../src/config';

describe('actor config', () => {
  it('takes the model from --model, --model= or ACTOR_MODEL', () => {
    expect(parseModelArg(['--model', 'lgbm'], {})).toBe('lgbm');
    expect(parseModelArg(['--model=clip'], {})).toBe('clip');
    expect(parseModelArg([], { ACTOR_MODEL: 'lgbm' })).toBe('lgbm');
    expect(() => parseModelArg([], {})).toThrow(/usage/);
    expect(() => parseModelArg(['--model', 'resnet'], {})).toThrow(/resnet/);
  });

  it('has per-model defaults and short locks for fast stalled-job recovery', () => {
    const c = loadConfig(['--model', 'lgbm'], {});
    expect(c).toMatchObject({ model: 'lgbm', redisUrl: 'redis://127.0.0.1:6379', concurrency: 16, lockDurationMs: 4000, stalledIntervalMs: 1000, maxStalledCount: 2 });
    expect(c.actorId).toMatch(/-\d+-[0-9a-f]{4}$/);
    expect(c.modelsDir).toMatch(/models$/);
    // recovery of a killed actor's job must fit well inside the default 10 s request deadline
    expect(c.lockDurationMs + 2 * c.stalledIntervalMs).toBeLessThan(10000 / 1.5);
    expect(loadConfig(['--model', 'clip'], {}).concurrency).toBe(16); // >= 2 x CLIP_MAX_BATCH: one batch collects while one runs
  });

  it('reads overrides and refuses nonsense', () => {
    expect(loadConfig(['--model', 'lgbm'], { ACTOR_CONCURRENCY: '3', ACTOR_ID: 'a-1' })).toMatchObject({ concurrency: 3, actorId: 'a-1' });
    expect(() => loadConfig(['--model', 'lgbm'], { ACTOR_CONCURRENCY: '0' })).toThrow(/ACTOR_CONCURRENCY/);
    expect(() => loadConfig(['--model', 'lgbm'], { ACTOR_ID: 'has space' })).toThrow(/ACTOR_ID/);
    expect(() => loadConfig(['--model', 'lgbm'], { ACTOR_HEARTBEAT_INTERVAL_MS: '5000', ACTOR_HEARTBEAT_TTL_MS: '3000' })).toThrow(/TTL/);
  });

  it('lowers V8’s interrupt budget by default; 0 keeps V8’s own, negatives are refused', () => {
    expect(loadConfig(['--model', 'lgbm'], {}).interruptBudget).toBe(4096);
    expect(loadConfig(['--model', 'lgbm'], { V8_INTERRUPT_BUDGET: '0' }).interruptBudget).toBe(0);
    expect(() => loadConfig(['--model', 'lgbm'], { V8_INTERRUPT_BUDGET: '-1' })).toThrow(/V8_INTERRUPT_BUDGET/);
  });

  it('warms each model type up by default (ACTOR_WARMUP_RUNS overrides, 0 turns it off)', () => {
    expect(loadConfig(['--model', 'lgbm'], {}).warmupRuns).toBe(120);
    expect(loadConfig(['--model', 'clip'], {}).warmupRuns).toBe(8);
    expect(loadConfig(['--model', 'lgbm'], { ACTOR_WARMUP_RUNS: '0' }).warmupRuns).toBe(0);
    expect(loadConfig(['--model', 'clip'], { ACTOR_WARMUP_RUNS: '3' }).warmupRuns).toBe(3);
    expect(() => loadConfig(['--model', 'lgbm'], { ACTOR_WARMUP_RUNS: '-1' })).toThrow(/ACTOR_WARMUP_RUNS/);
  });

  it('lets an lgbm shadow follow every job in flight and a clip shadow run one copy at a time (ACTOR_SHADOW_MAX_INFLIGHT overrides, 0 = no shadow)', () => {
    expect(loadConfig(['--model', 'lgbm'], {}).shadowMaxInflight).toBe(16);
    expect(loadConfig(['--model', 'clip'], {}).shadowMaxInflight).toBe(1);
    expect(loadConfig(['--model', 'clip'], { ACTOR_SHADOW_MAX_INFLIGHT: '0' }).shadowMaxInflight).toBe(0);
    expect(() => loadConfig(['--model', 'lgbm'], { ACTOR_SHADOW_MAX_INFLIGHT: '-2' })).toThrow(/ACTOR_SHADOW_MAX_INFLIGHT/);
  });
});
