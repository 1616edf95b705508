import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, modelsWithManifest, workerNodeFlags } from '../src/config';

describe('gateway config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({ SERVED_MODELS: 'lgbm' });
    expect(c).toMatchObject({
      port: 8001,
      redisUrl: 'redis://127.0.0.1:6379',
      workers: 4,
      maxUploadBytes: 10 * 1024 * 1024,
      requestTimeoutMs: 10000,
      maxQueuedPerModel: 256,
      servedModels: ['lgbm'],
      logLevel: 'info',
      interruptBudget: 4096,
      semiSpaceMb: 32,
      warmupRequests: 300,
    });
    expect(workerNodeFlags(c)).toEqual(['--max-semi-space-size=32']);
    expect(c.modelsDir).toMatch(/models$/);
    expect(c.webDistDir).toMatch(/apps\/web\/dist$/);
  });

  it('reads overrides from the environment', () => {
    const c = loadConfig({ PORT: '9000', GATEWAY_WORKERS: '2', MAX_UPLOAD_MB: '0.5', REQUEST_TIMEOUT_MS: '1500', SERVED_MODELS: 'lgbm,clip', MAX_QUEUED_PER_MODEL: '3' });
    expect(c).toMatchObject({ port: 9000, workers: 2, maxUploadBytes: 524288, requestTimeoutMs: 1500, servedModels: ['lgbm', 'clip'], maxQueuedPerModel: 3 });
    expect(loadConfig({ SERVED_MODELS: 'lgbm', V8_INTERRUPT_BUDGET: '0' }).interruptBudget).toBe(0);
    expect(workerNodeFlags(loadConfig({ GATEWAY_SEMI_SPACE_MB: '0' }))).toEqual([]);
    expect(workerNodeFlags(loadConfig({ GATEWAY_SEMI_SPACE_MB: '64' }))).toEqual(['--max-semi-space-size=64']);
    expect(loadConfig({ SERVED_MODELS: 'lgbm', GATEWAY_WARMUP_REQUESTS: '0' }).warmupRequests).toBe(0);
    expect(c.shutdownGraceMs).toBe(3500);
  });

  it('refuses invalid values with the variable named', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ GATEWAY_WORKERS: '0' })).toThrow(/GATEWAY_WORKERS/);
    expect(() => loadConfig({ SERVED_MODELS: 'lgbm,bert' })).toThrow(/bert/);
    expect(() => loadConfig({ REDIS_URL: 'not a url' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ V8_INTERRUPT_BUDGET: '-1' })).toThrow(/V8_INTERRUPT_BUDGET/);
    expect(() => loadConfig({ GATEWAY_SEMI_SPACE_MB: '-1' })).toThrow(/GATEWAY_SEMI_SPACE_MB/);
    expect(() => loadConfig({ GATEWAY_WARMUP_REQUESTS: '-5' })).toThrow(/GATEWAY_WARMUP_REQUESTS/);
  });

  it('serves by default the model types whose manifest exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    expect(modelsWithManifest(dir)).toEqual([]);
    mkdirSync(join(dir, 'clip'));
    writeFileSync(join(dir, 'clip', 'manifest.json'), '{}');
    expect(loadConfig({ MODELS_DIR: dir }).servedModels).toEqual(['clip']);
    expect(loadConfig({ MODELS_DIR: dir, SERVED_MODELS: '' }).servedModels).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});
