import express from 'express';
import request from 'supertest';
import { ClientGoneError, DeadlineExceededError, NoActorError, QueueFullError } from '../src/errors';
import { errorHandler, notFound } from '../src/http/middleware/error-handler';
import { httpLogger } from '../src/http/middleware/http-logger';
import { silentLogger } from './helpers';

function appThrowing(err: unknown) {
  const a = express();
  a.use(httpLogger(silentLogger));
  a.get('/boom', () => {
    throw err;
  });
  a.use(notFound);
  a.use(errorHandler);
  return a;
}

describe('error responses', () => {
  it('carry code, message and the request id (echoing a safe X-Request-Id)', async () => {
    const r = await request(appThrowing(new DeadlineExceededError(10000))).get('/boom').set('X-Request-Id', 'abc-123');
    expect(r.status).toBe(504);
    expect(r.body).toEqual({ error: { code: 'timeout', message: expect.stringContaining('10000') }, request_id: 'abc-123' });
    expect(r.headers['x-request-id']).toBe('abc-123');
  });

  it('generate a request id when the caller sends none or an unsafe one', async () => {
    const r = await request(appThrowing(new DeadlineExceededError(1))).get('/boom').set('X-Request-Id', 'a b;c<script>');
    expect(r.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers['x-request-id']).toBe(r.body.request_id);
  });

  it('503s tell the client when to retry', async () => {
    const noActor = await request(appThrowing(new NoActorError('lgbm'))).get('/boom');
    expect(noActor.status).toBe(503);
    expect(noActor.body.error.code).toBe('no_actor');
    expect(Number(noActor.headers['retry-after'])).toBeGreaterThan(0);
    const full = await request(appThrowing(new QueueFullError('lgbm', 300))).get('/boom');
    expect(full.status).toBe(503);
    expect(full.body.error.code).toBe('queue_full');
    expect(full.headers['retry-after']).toBeDefined();
  });

  it('unknown errors are 500 internal_error without their internals', async () => {
    const r = await request(appThrowing(new Error('secret stack detail'))).get('/boom');
    expect(r.status).toBe(500);
    expect(r.body.error).toEqual({ code: 'internal_error', message: 'internal server error' });
  });

  it('a client that hung up is no server error: 499, no JSON, no error log line', async () => {
    const logged: string[] = [];
    const a = express();
    a.use((req, _res, next) => {
      (req as unknown as { log: { error: (o: unknown, m: string) => void } }).log = { error: (_o, m) => logged.push(m) };
      next();
    });
    a.get('/gone', () => {
      throw new ClientGoneError();
    });
    a.use(errorHandler);
    const r = await request(a).get('/gone');
    expect(r.status).toBe(499);
    expect(r.text).toBe('');
    expect(logged).toEqual([]);
  });

  it('unknown routes are 404 not_found', async () => {
    const r = await request(appThrowing(new Error('x'))).post('/predict_resnet');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
  });
});
