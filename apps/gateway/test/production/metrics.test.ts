import express from 'express';
import { AggregatorRegistry } from 'prom-client';
import request from 'supertest';
import { HttpError } from '../../src/errors';
import { errorHandler, notFound } from '../../src/http/middleware/error-handler';
import { httpMetrics, markRoute } from '../../src/observability/http-metrics';
import { GatewayMetrics } from '../../src/observability/metrics';
import { metricsRouter } from '../../src/observability/metrics-route';

const pass: express.RequestHandler = (_req, _res, next) => next();

/** The value of one sample line, e.g. value(text, 'x_total{a="b"}'). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('gateway metrics', () => {
  it('counts and times requests by route pattern and status, and error answers by code', async () => {
    const m = new GatewayMetrics();
    const app = express();
    app.use(httpMetrics(m));
    const r = express.Router();
    r.post('/predict_lgbm', (_req, res) => res.json({ ok: true }));
    r.get('/items/:id', (_req, res) => res.json({}));
    r.post('/refuse', (_req, _res, next) => next(new HttpError(429, 'rate_limited', 'slow down')));
    // a guard in front of a mount answers before any route matched: labelled by the mount path
    app.use('/predict_clip', markRoute, (_req, _res, next) => next(new HttpError(401, 'unauthorized', 'key')));
    app.use(r);
    app.use(notFound);
    app.use(errorHandler);
    for (let i = 0; i < 3; i++) await request(app).post('/predict_lgbm');
    await request(app).get('/items/123');
    await request(app).get('/items/456');
    await request(app).post('/refuse');
    await request(app).get('/no/such/path?x=1');
    await request(app).post('/predict_clip');

    const text = await m.registry.metrics();
    expect(value(text, 'cataract_http_requests_total{method="POST",route="/predict_lgbm",status="200"}')).toBe(3);
    expect(value(text, 'cataract_http_requests_total{method="GET",route="/items/:id",status="200"}')).toBe(2);
    expect(value(text, 'cataract_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(text).not.toContain('/items/123');
    expect(text).not.toContain('/no/such/path');
    expect(value(text, 'cataract_http_request_duration_seconds_count{method="POST",route="/predict_lgbm",status="200"}')).toBe(3);
    expect(value(text, 'cataract_rejected_requests_total{reason="rate_limited",status="429"}')).toBe(1);
    expect(value(text, 'cataract_rejected_requests_total{reason="not_found",status="404"}')).toBe(1);
    expect(value(text, 'cataract_http_requests_total{method="POST",route="/predict_clip",status="401"}')).toBe(1);
  });

  it('turns actor-reported job timings into per-model histograms (seconds) and batch sizes', async () => {
    const m = new GatewayMetrics();
    m.observeJob('clip', { queue_wait_ms: 12, processing_ms: 80, preprocess_ms: 9, inference_ms: 60, batch_size: 4 });
    m.observeJob('clip', { queue_wait_ms: 3, processing_ms: 40, preprocess_ms: 7, inference_ms: 30, batch_size: 2 });
    m.observeJob('lgbm', { queue_wait_ms: 1, processing_ms: 5, batch_size: 1 });
    m.observeJob('lgbm', undefined); // an actor that reports nothing
    const text = await m.registry.metrics();
    expect(value(text, 'cataract_queue_wait_seconds_count{model="clip"}')).toBe(2);
    expect(value(text, 'cataract_queue_wait_seconds_sum{model="clip"}')).toBeCloseTo(0.015, 6);
    expect(value(text, 'cataract_inference_seconds_sum{model="clip"}')).toBeCloseTo(0.09, 6);
    expect(value(text, 'cataract_batch_size_sum{model="clip"}')).toBe(6);
    expect(value(text, 'cataract_batch_size_bucket{le="2",model="clip"}')).toBe(1);
    expect(value(text, 'cataract_queue_wait_seconds_count{model="lgbm"}')).toBe(1);
    expect(value(text, 'cataract_inference_seconds_count{model="lgbm"}')).toBe(0); // series exists, not invented
  });

  it('reads queue depth and live actors at scrape time; a failed read leaves them out, never stale', async () => {
    let fail = false;
    const errors: string[] = [];
    const m = new GatewayMetrics({
      state: {
        queueDepth: async (model) => {
          if (fail) throw new Error('redis down');
          return model === 'lgbm' ? { waiting: 5, active: 2, delayed: 0 } : { waiting: 0, active: 1, delayed: 0 };
        },
        liveActors: async (model) => {
          if (fail) throw new Error('redis down');
          return model === 'lgbm' ? 3 : 1;
        },
      },
      onCollectError: (err) => errors.push(err.message),
    });
    const text = await m.registry.metrics();
    expect(value(text, 'cataract_queue_depth{model="lgbm",state="waiting"}')).toBe(5);
    expect(value(text, 'cataract_queue_depth{model="lgbm",state="active"}')).toBe(2);
    expect(value(text, 'cataract_live_actors{model="lgbm"}')).toBe(3);
    expect(value(text, 'cataract_live_actors{model="clip"}')).toBe(1);
    fail = true;
    const after = await m.registry.metrics();
    expect(value(after, 'cataract_live_actors{model="lgbm"}')).toBeUndefined();
    expect(errors.length).toBe(2);
  });

  it('aggregates like the cluster primary does: counters summed over workers, Redis gauges not multiplied', async () => {
    const workers = [0, 1, 2, 3].map(
      () =>
        new GatewayMetrics({
          state: { queueDepth: async () => ({ waiting: 7, active: 1, delayed: 0 }), liveActors: async () => 2 },
        }),
    );
    workers.forEach((w, i) => {
      for (let k = 0; k <= i; k++) w.httpRequests.inc({ method: 'POST', route: '/predict_lgbm', status: '200' });
      w.observeJob('lgbm', { queue_wait_ms: 10, processing_ms: 20, batch_size: 1 });
    });
    const merged = AggregatorRegistry.aggregate(await Promise.all(workers.map((w) => w.registry.getMetricsAsJSON())));
    const text = await merged.metrics();
    expect(value(text, 'cataract_http_requests_total{method="POST",route="/predict_lgbm",status="200"}')).toBe(1 + 2 + 3 + 4);
    expect(value(text, 'cataract_queue_wait_seconds_count{model="lgbm"}')).toBe(4);
    expect(value(text, 'cataract_live_actors{model="lgbm"}')).toBe(2);
    expect(value(text, 'cataract_queue_depth{model="lgbm",state="waiting"}')).toBe(7);
  });

  it('GET /metrics serves the Prometheus text behind the guard (this process’s registry outside a cluster)', async () => {
    const m = new GatewayMetrics({ defaultMetrics: true });
    m.observeJob('lgbm', { queue_wait_ms: 1, processing_ms: 2, batch_size: 1 });
    const deny: express.RequestHandler = (_req, _res, next) => next(new HttpError(401, 'unauthorized', 'key'));
    const open = express().use(metricsRouter(m, pass).router);
    const closed = express().use(metricsRouter(m, deny).router).use(errorHandler);
    const r = await request(open).get('/metrics');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.text).toMatch(/^# TYPE cataract_queue_wait_seconds histogram$/m);
    expect(r.text).toMatch(/^process_cpu_user_seconds_total /m);
    expect((await request(closed).get('/metrics')).status).toBe(401);
  });
});
