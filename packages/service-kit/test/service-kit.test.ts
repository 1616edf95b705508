import { Writable } from 'node:stream';
import { closeRedis, connectRedis, createServiceLogger, isReady } from '@cataract/service-kit';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

test('createServiceLogger writes the service, pid and bindings on every line and redacts what it is told', () => {
  const out = capture();
  const logger = createServiceLogger({ service: 'gateway', level: 'info', bindings: { role: 'worker' }, destination: out.stream, redact: ['headers.authorization'] });
  logger.info({ headers: { authorization: 'Bearer secret' } }, 'hello');
  logger.debug('below the level');
  const [line, ...rest] = out.lines();
  expect(rest).toEqual([]);
  expect(line).toMatchObject({ service: 'gateway', pid: process.pid, role: 'worker', msg: 'hello', headers: { authorization: '[redacted]' } });
});

test('a request connection fails fast while Redis is away, logs it once, and stops reconnecting once closed', async () => {
  const out = capture();
  const logger = createServiceLogger({ service: 'test', level: 'info', destination: out.stream });
  const redis = connectRedis('redis://127.0.0.1:1', 'request', 'test-request', logger); // nothing listens on port 1
  let reconnects = 0;
  try {
    await expect(redis.get('k')).rejects.toThrow();
    expect(isReady(redis)).toBe(false);
    await new Promise((r) => setTimeout(r, 300)); // a few reconnect attempts
    expect(out.lines().filter((l) => l.msg === 'redis connection error')).toHaveLength(1);
  } finally {
    await closeRedis(redis, 200);
  }
  redis.on('reconnecting', () => reconnects++);
  await new Promise((r) => setTimeout(r, 500));
  expect(reconnects).toBe(0);
});
