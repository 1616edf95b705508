import request from 'supertest';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { ScriptedActor, startScriptedActor } from '@cataract/test-support/scripted-actor';
import { createGatewayServices, GatewayServices } from '../../src/process/worker-services';
import { servicesReady, silentLogger, testConfig } from '../helpers';

const maybe = redisServerAvailable() ? describe : describe.skip;

maybe('a stopping gateway worker reports not ready (private redis-server)', () => {
  let server: RedisServer;
  let svc: GatewayServices;
  let actor: ScriptedActor;

  beforeAll(async () => {
    server = await startRedis();
    svc = createGatewayServices(testConfig({ REDIS_URL: server.url }), silentLogger, { registryCacheMs: 0 });
    await servicesReady(svc);
    actor = await startScriptedActor({ redisUrl: server.url, id: 'hs-1' });
  });
  afterAll(async () => {
    await actor?.close();
    await svc?.close();
    await server?.stop();
  });

  it('GET /health is 200 while serving and 503 (degraded) once SIGTERM marked it stopping', async () => {
    const before = await request(svc.app).get('/health');
    expect(before.status).toBe(200);
    expect(before.body.status).toBe('ok');
    svc.markStopping();
    const after = await request(svc.app).get('/health');
    expect(after.status).toBe(503);
    expect(after.body.status).toBe('degraded');
    expect(after.headers.connection).toBe('close');
  });
});
