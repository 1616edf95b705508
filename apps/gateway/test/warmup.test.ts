import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { RedisServer, redisServerAvailable, startRedis } from '@cataract/test-support/redis';
import { createGatewayServices, GatewayServices } from '../src/process/worker-services';
import { warmUpGateway, warmupPaths } from '../src/process/warmup/gateway-warmup';
import { STAND_IN_CLIENT } from '../src/process/warmup/echo-queues';
import { servicesReady, testConfig } from './helpers';

/** A logger whose JSON lines land in `lines`. */
function capturingLogger() {
  const lines: Array<Record<string, any>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

const tcpServers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

describe('gateway warm-up paths', () => {
  it('warms every served predict route, and the ensemble only when both models are served', () => {
    expect(warmupPaths(['lgbm', 'clip'])).toEqual(['/predict_lgbm', '/predict_clip', '/predict_ensemble']);
    expect(warmupPaths(['lgbm'])).toEqual(['/predict_lgbm']);
    expect(warmupPaths(['clip'])).toEqual(['/predict_clip']);
    expect(warmupPaths([])).toEqual([]);
  });

  it('its stand-in answers like an actor and stores nothing', async () => {
    const upload = STAND_IN_CLIENT.storeUpload(Buffer.alloc(10), { requestId: 'r', deadline: Date.now() + 1000 });
    expect(upload).toMatchObject({ bytes: 10, singleReader: true });
    await expect(upload.stored).resolves.toBeUndefined();
    const result = await STAND_IN_CLIENT.predict('lgbm', upload, { requestId: 'r', deadline: Date.now() + 1000 });
    expect(result).toMatchObject({ status: 'ok', probabilities: { cataract: 0.5, normal: 0.5 }, timings: { batch_size: 1 } });
  });
});

const maybe = redisServerAvailable() ? describe : describe.skip;

maybe('gateway warm-up over a private redis-server', () => {
  let server: RedisServer;
  let svc: GatewayServices | undefined;

  beforeAll(async () => {
    server = await startRedis();
  });
  afterEach(async () => {
    await svc?.close();
    svc = undefined;
  });
  afterAll(async () => {
    await server.stop();
  });

  const start = async (env: Record<string, string>) => {
    const { logger, lines } = capturingLogger();
    svc = createGatewayServices(testConfig({ REDIS_URL: server.url, SERVED_MODELS: 'lgbm,clip', ...env }), logger, { registryCacheMs: 0 });
    await servicesReady(svc);
    return { svc, lines, logger };
  };

  it('answers its uploads 200 on every served route through Redis, with keys required, and leaves no trace', async () => {
    const { svc, lines, logger } = await start({ API_KEYS: 'secret-key', RATE_LIMIT_PER_MINUTE: '5', SAVE_UPLOADS: 'true' });
    const realPredict = jest.spyOn(svc.client, 'predict');
    const realStore = jest.spyOn(svc.client, 'storeUpload');
    // BullMQ writes each queue's meta key on its own schedule after the services start: not ours
    const keys = async () => (await svc.redis.keys('*')).filter((k) => !/^bull:(lgbm|clip):meta$/.test(k)).sort();
    const keysBefore = await keys();
    const servers = tcpServers();
    // what the warm-up sends through Redis, seen by a monitor connection
    const monitor = await svc.redis.monitor(); // a connection of its own
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(String(args[0]).toLowerCase() + ' ' + (args[1] ?? '')));

    const report = await warmUpGateway(svc, logger, 24, { concurrency: 3 });
    expect(report).toMatchObject({ requests: 24, failed: 0, throughRedis: true });
    monitor.disconnect();

    // the upload's SET, BullMQ's add script and the actor-style reply all ran, on private queues only
    expect(commands.some((c) => c.startsWith('set cataract:upload:'))).toBe(true);
    expect(commands.some((c) => c.startsWith('evalsha ') || c.startsWith('eval '))).toBe(true);
    expect(commands.filter((c) => c.startsWith('publish ')).length).toBe(24 + 8); // the ensemble's 8 requests ask both models
    expect(commands.filter((c) => /bull:(lgbm|clip):/.test(c))).toEqual([]);
    // the real model client, rate limit and retained data saw none of it, and it left no key behind
    expect(realPredict).not.toHaveBeenCalled();
    expect(realStore).not.toHaveBeenCalled();
    expect(await keys()).toEqual(keysBefore);
    const metrics = await svc.metrics.registry.getSingleMetricAsString('cataract_http_requests_total');
    expect(metrics).not.toMatch(/predict/);
    // one summary line, no request logs; the loopback server is gone
    expect(lines.map((l) => l.msg)).toEqual(['gateway worker warmed up']);
    expect(lines[0]).toMatchObject({ requests: 24, failed: 0, statuses: { 200: 24 }, paths: ['/predict_lgbm', '/predict_clip', '/predict_ensemble'] });
    expect(tcpServers()).toBe(servers);
    // the real app still wants its key
    expect((await request(svc.app).post('/predict_lgbm')).status).toBe(401);
  });

  it('falls back to the stand-in while Redis is not ready', async () => {
    const { svc, lines, logger } = await start({});
    svc.redis.disconnect(); // the request-path connection only: no reconnect
    const report = await warmUpGateway(svc, logger, 6, { concurrency: 2 });
    expect(report).toMatchObject({ requests: 6, failed: 0, throughRedis: false });
    expect(lines.map((l) => l.msg)).toEqual(['gateway worker warmed up']);
  });

  it('reports (does not throw) warm-up uploads that are refused', async () => {
    const { svc, lines, logger } = await start({ MAX_UPLOAD_MB: '0.001' }); // ~1 KB: every rendered photo is too large
    const report = await warmUpGateway(svc, logger, 6, { concurrency: 2 });
    expect(report).toMatchObject({ requests: 6, failed: 6 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, statuses: { 413: 6 } });
  });

  it('gives up at maxMs when Redis stalls, so the worker can still listen', async () => {
    const { svc, lines, logger } = await start({});
    process.kill(server.pid, 'SIGSTOP'); // a stalled Redis: connected, answering nothing
    try {
      const t0 = Date.now();
      const report = await warmUpGateway(svc, logger, 40, { concurrency: 2, maxMs: 300 });
      // No upload can have been answered (Redis held every SET); what matters is that it returned.
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(report).toMatchObject({ cutShort: true, throughRedis: true, failed: report.requests });
      expect(report.skipped).toBeGreaterThan(0);
      expect(report.requests + report.skipped).toBe(40);
      const warmup = lines.filter((l) => /warm/.test(l.msg));
      expect(warmup.map((l) => [l.level, l.msg])).toEqual([[40, 'gateway warm-up cut short: it ran out of time (serving anyway, partly cold)']]);
      expect(warmup[0]).toMatchObject({ maxMs: 300, cutShort: true });
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    await servicesReady(svc);
  });

  it('does nothing for 0 requests', async () => {
    const { svc, lines, logger } = await start({});
    expect(await warmUpGateway(svc, logger, 0)).toEqual({ requests: 0, failed: 0, skipped: 0, cutShort: false, ms: 0, throughRedis: false });
    expect(lines).toEqual([]);
  });
});
