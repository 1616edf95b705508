import { loadConfig } from '../src/config';

describe('clip batching configuration', () => {
  it('batches clip by default (4 inputs within 5 ms, two batches in flight, 1 ORT thread) and never lgbm', () => {
    expect(loadConfig(['--model', 'clip'], {})).toMatchObject({ batching: { maxBatch: 4, maxWaitMs: 5, maxInflight: 2 }, intraOpThreads: 1, concurrency: 16 });
    expect(loadConfig(['--model', 'clip'], { CLIP_MAX_BATCH: '16' })).toMatchObject({ batching: { maxBatch: 16 }, concurrency: 32 });
    expect(loadConfig(['--model', 'lgbm'], { CLIP_MAX_BATCH: '32' })).toMatchObject({ batching: { maxBatch: 1 }, concurrency: 16 });
  });

  it('reads CLIP_MAX_BATCH, CLIP_MAX_WAIT_MS, CLIP_MAX_INFLIGHT_BATCHES and ORT_INTRA_OP_THREADS', () => {
    const c = loadConfig(['--model', 'clip'], { CLIP_MAX_BATCH: '4', CLIP_MAX_WAIT_MS: '12.5', CLIP_MAX_INFLIGHT_BATCHES: '1', ORT_INTRA_OP_THREADS: '2' });
    expect(c).toMatchObject({ batching: { maxBatch: 4, maxWaitMs: 12.5, maxInflight: 1 }, intraOpThreads: 2, concurrency: 16 });
    expect(loadConfig(['--model', 'clip'], { CLIP_MAX_BATCH: '1' })).toMatchObject({ batching: { maxBatch: 1 }, concurrency: 16 });
  });

  it('keeps the worker concurrency at least one batch, so batches can fill', () => {
    expect(loadConfig(['--model', 'clip'], { CLIP_MAX_BATCH: '8', ACTOR_CONCURRENCY: '8' }).concurrency).toBe(8);
    expect(() => loadConfig(['--model', 'clip'], { CLIP_MAX_BATCH: '16', ACTOR_CONCURRENCY: '4' })).toThrow(/ACTOR_CONCURRENCY \(4\) must be at least CLIP_MAX_BATCH \(16\)/);
  });

  it('refuses nonsense', () => {
    expect(() => loadConfig(['--model', 'clip'], { CLIP_MAX_BATCH: '0' })).toThrow(/CLIP_MAX_BATCH/);
    expect(() => loadConfig(['--model', 'clip'], { CLIP_MAX_WAIT_MS: '-1' })).toThrow(/CLIP_MAX_WAIT_MS/);
    expect(() => loadConfig(['--model', 'clip'], { ORT_INTRA_OP_THREADS: 'many' })).toThrow(/ORT_INTRA_OP_THREADS/);
  });
});
