import { availableParallelism } from 'node:os';
import path from 'node:path';
import { defaultLgbmActors, loadConfig, REPO_ROOT } from '../src/config';
import { ConfigError } from '../src/errors';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8001);
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.actors).toEqual({ lgbm: Math.min(4, availableParallelism()), clip: 1 });
    expect(c.modelsDir).toBe(path.join(REPO_ROOT, 'models'));
    expect(c.shutdownGraceMs).toBe(10_000);
    expect(c.restart).toEqual({ initialMs: 500, maxMs: 10_000, resetAfterMs: 30_000 });
    expect(c.gatewayEntry).toBe(path.join(REPO_ROOT, 'apps/gateway/dist/main.js'));
    expect(c.actorEntry).toBe(path.join(REPO_ROOT, 'apps/actor/dist/main.js'));
  });

  it('starts one lgbm actor per CPU, between 1 and 4', () => {
    expect([1, 2, 3, 4, 8, 64].map((cpus) => defaultLgbmActors(cpus))).toEqual([1, 2, 3, 4, 4, 4]);
  });

  it('reads the environment and treats empty values as unset', () => {
    const c = loadConfig({
      PORT: '9000',
      REDIS_URL: 'rediss://:pw@redis.example:6380/2',
      LGBM_ACTORS: '3',
      CLIP_ACTORS: '0',
      SHUTDOWN_GRACE_MS: '2500',
      MODELS_DIR: '',
    });
    expect(c.port).toBe(9000);
    expect(c.redisUrl).toBe('rediss://:pw@redis.example:6380/2');
    expect(c.actors).toEqual({ lgbm: 3, clip: 0 });
    expect(c.shutdownGraceMs).toBe(2500);
    expect(c.modelsDir).toBe(path.join(REPO_ROOT, 'models'));
  });

  it.each([
    ['PORT', '0'],
    ['PORT', 'eighty'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['REDIS_URL', 'not a url'],
    ['LGBM_ACTORS', '-1'],
    ['CLIP_ACTORS', '1.5'],
    ['SHUTDOWN_GRACE_MS', '0'],
    ['LOG_LEVEL', 'loud'],
  ])('rejects %s=%s with a ConfigError naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('rejects a restart cap below the first delay', () => {
    expect(() => loadConfig({ RESTART_INITIAL_MS: '1000', RESTART_MAX_MS: '500' })).toThrow(/RESTART_MAX_MS/);
  });
});
