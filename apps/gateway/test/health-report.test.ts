/** /health's report: the original API's compatibility field, and set-up problems named for the operator. */
import { HealthResponseSchema, type ActorHeartbeat } from '@cataract/contracts';
import type { ActorRegistry } from '../src/dispatch/actor-registry';
import type { Redis } from '@cataract/service-kit';
import { healthReport } from '../src/http/routes/health';

const heartbeat = (id: string, model: 'lgbm' | 'clip'): ActorHeartbeat =>
  ({ id, pid: 1, host: 'h', model, model_version: 'v', last_seen: '2026-01-01T00:00:00.000Z' }) as unknown as ActorHeartbeat;
const upRedis = { status: 'ready', ping: async () => 'PONG' } as unknown as Redis;
const downRedis = { status: 'reconnecting', ping: async () => 'PONG' } as unknown as Redis;
const registry = { snapshot: async () => ({ lgbm: [heartbeat('a', 'lgbm'), heartbeat('b', 'lgbm')], clip: [heartbeat('c', 'clip')] }) } as unknown as ActorRegistry;

describe('healthReport', () => {
  it('carries ray_workers_available (= live actors, as actors_available) and no problems when all is well', async () => {
    const r = HealthResponseSchema.parse(await healthReport({ redis: upRedis, registry, servedModels: ['lgbm', 'clip'], redisUrl: 'redis://r:6379' }));
    expect(r).toMatchObject({ status: 'ok', actors_available: 3, ray_workers_available: 3 });
    expect(r.problems).toBeUndefined();
  });

  it('set-up problems from the supervisor make it degraded and are listed', async () => {
    const problems = ['model clip not served: no /app/models/clip/manifest.json'];
    const r = await healthReport({ redis: upRedis, registry, servedModels: ['lgbm'], setupProblems: problems });
    expect(r).toMatchObject({ status: 'degraded', problems });
  });

  it('a Redis that does not answer is named by its REDIS_URL, password hidden', async () => {
    const r = await healthReport({ redis: downRedis, registry, servedModels: ['lgbm'], redisUrl: 'redis://:s3cret@cache.internal:6380/2' });
    expect(r.status).toBe('degraded');
    expect(r.ray_workers_available).toBe(0);
    expect(r.problems).toEqual(['Redis at redis://:***@cache.internal:6380/2 (REDIS_URL) does not answer']);
    expect(JSON.stringify(r)).not.toContain('s3cret');
  });
});
